namespace EdgeLstm.Bench;

/// <summary>
/// libtorch float steps on the same weights, state fed back, for a batch of independent streams (1 by
/// default): nn.LSTM called for one step (what a TorchSharp user writes) and a hand-written step (addmm +
/// pointwise, usually faster).
/// </summary>
internal sealed class TorchSharpStep : IDisposable
{
    private readonly TorchSharp.Modules.LSTM _lstm;
    private readonly Tensor _x, _wih, _whh, _bias;
    private Tensor _h, _c, _h2, _c2;
    private readonly int _hidden;

    public TorchSharpStep(FloatLstmLayer layer, int batch = 1)
    {
        _hidden = layer.HiddenSize;
        _lstm = nn.LSTM(layer.InputSize, layer.HiddenSize, batchFirst: true);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            _lstm.get_parameter("weight_ih_l0")!.copy_(tensor(layer.WeightIh, [4L * _hidden, layer.InputSize]));
            _lstm.get_parameter("weight_hh_l0")!.copy_(tensor(layer.WeightHh, [4L * _hidden, _hidden]));
            _lstm.get_parameter("bias_ih_l0")!.copy_(tensor(layer.BiasIh));
            _lstm.get_parameter("bias_hh_l0")!.copy_(tensor(layer.BiasHh));
        }
        _lstm.eval();
        _x = randn(batch, 1, layer.InputSize).MoveToOuterDisposeScope();
        _wih = tensor(layer.WeightIh, [4L * _hidden, layer.InputSize]).t().contiguous().MoveToOuterDisposeScope();
        _whh = tensor(layer.WeightHh, [4L * _hidden, _hidden]).t().contiguous().MoveToOuterDisposeScope();
        _bias = tensor(layer.BiasIh.Zip(layer.BiasHh, (a, b) => a + b).ToArray(), [1, 4L * _hidden]).MoveToOuterDisposeScope();
        _h = zeros(1, batch, _hidden).MoveToOuterDisposeScope();
        _c = zeros(1, batch, _hidden).MoveToOuterDisposeScope();
        _h2 = zeros(batch, _hidden).MoveToOuterDisposeScope();
        _c2 = zeros(batch, _hidden).MoveToOuterDisposeScope();
    }

    public void LstmModuleStep()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (_, h, c) = _lstm.call(_x, (_h, _c));
        _h.Dispose();
        _c.Dispose();
        _h = h.MoveToOuterDisposeScope();
        _c = c.MoveToOuterDisposeScope();
    }

    public void HandWrittenStep()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var gates = _bias.addmm(_x.view(_x.shape[0], -1), _wih).addmm_(_h2, _whh);
        var chunks = gates.chunk(4, 1);
        var c = chunks[1].sigmoid().mul_(_c2).add_(chunks[0].sigmoid().mul_(chunks[2].tanh()));
        var h = chunks[3].sigmoid().mul_(c.tanh());
        _h2.Dispose();
        _c2.Dispose();
        _h2 = h.MoveToOuterDisposeScope();
        _c2 = c.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _lstm.Dispose();
        foreach (var t in new[] { _x, _wih, _whh, _bias, _h, _c, _h2, _c2 }) t.Dispose();
    }
}
