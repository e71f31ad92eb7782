using EdgeLstm.Converter;

namespace EdgeLstm.Trainer;

/// <summary>
/// Quantization-aware fine-tuning for int4 weights: before each forward pass the matrices `convert --dtype int4`
/// makes int4 get their int4 values — <see cref="Int4Quantizer"/> run on their float weights, so the same values the
/// converter will write, bit for bit — and after the backward pass the float weights come back for the optimizer
/// step. The gradient computed at the int4 values updates the float ones: the straight-through estimator, without
/// touching the LSTM module. Validation runs on the int4 values too, so the epoch kept is the best int4 one. Any task's
/// network (language model, grapheme-to-phoneme): the matrices are found by the model description, as the converter finds them.
/// </summary>
public sealed class Int4FakeQuantization : IDisposable
{
    private readonly List<(string Name, Tensor Parameter, int Rows, int Columns)> _matrices = [];
    private readonly List<Tensor> _saved = [];

    public Int4FakeQuantization(TaskNetwork network)
    {
        var int4 = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorSpec spec in ModelTensors.Of(network.Description, fusedBiases: false))
            if (spec.IsMultiplied && spec.Shape[1] % Int4Quantizer.Group == 0) int4.Add(spec.Name);
        foreach (var (name, parameter) in network.named_parameters())
            if (int4.Contains(name)) _matrices.Add((name, parameter, (int)parameter.shape[0], (int)parameter.shape[1]));
        if (_matrices.Count == 0) throw new ArgumentException("--int4-aware: no matrix of this model has a column count that 32 divides, so none would be int4");
    }

    /// <summary>The names of the matrices fake-quantized.</summary>
    public IEnumerable<string> Names => _matrices.Select(m => m.Name);

    /// <summary>Replaces each matrix by its int4 values, keeping the float weights for <see cref="Restore"/>.</summary>
    public void Quantize()
    {
        if (_saved.Count > 0) throw new InvalidOperationException("the int4 values are already in place");
        using var noGrad = no_grad();
        // Rows are independent, so the two cores quantize in parallel and the values stay deterministic.
        var values = new float[_matrices.Count][];
        Parallel.For(0, _matrices.Count, i =>
        {
            var (_, parameter, rows, columns) = _matrices[i];
            float[] w = parameter.data<float>().ToArray();
            var (q, m, s) = Int4Quantizer.Quantize(w, rows, columns);
            values[i] = Int4Quantizer.Dequantize(q, m, s, rows, columns);
        });
        for (int i = 0; i < _matrices.Count; i++)
        {
            Tensor parameter = _matrices[i].Parameter;
            _saved.Add(parameter.detach().clone());
            using var quantized = tensor(values[i], parameter.shape);
            parameter.copy_(quantized);
        }
    }

    /// <summary>Puts the float weights back (after the backward pass, before the optimizer step).</summary>
    public void Restore()
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _saved.Count; i++)
        {
            _matrices[i].Parameter.copy_(_saved[i]);
            _saved[i].Dispose();
        }
        _saved.Clear();
    }

    public void Dispose()
    {
        foreach (Tensor t in _saved) t.Dispose();
        _saved.Clear();
    }
}
