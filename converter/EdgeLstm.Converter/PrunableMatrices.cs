namespace EdgeLstm.Converter;

/// <summary>The matrices pruning applies to, by tensor name: each LSTM direction's W_ih and W_hh, and the output layer (the description's prunable tensors).</summary>
public static class PrunableMatrices
{
    public sealed record Matrix(string Name, float[] Values, int Rows, int Columns);

    public static IReadOnlyList<Matrix> Of(FloatLstmModel model)
    {
        var list = new List<Matrix>();
        foreach (TensorSpec spec in ModelTensors.Of(model.Description, fusedBiases: false))
            if (spec.IsPrunable) list.Add(new(spec.Name, model.Tensor(spec.Name), (int)spec.Shape[0], (int)spec.Shape[1]));
        return list;
    }
}
