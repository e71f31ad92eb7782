using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Converter;

/// <summary>The matrices pruning applies to, by tensor name: each layer's W_ih and W_hh, and the output layer.</summary>
public static class PrunableMatrices
{
    public sealed record Matrix(string Name, float[] Values, int Rows, int Columns);

    public static IReadOnlyList<Matrix> Of(FloatLstmModel model)
    {
        var list = new List<Matrix>();
        for (int k = 0; k < model.Layers.Length; k++)
        {
            FloatLstmLayer layer = model.Layers[k];
            list.Add(new(LstmTensorNames.WeightIh(k), layer.WeightIh, 4 * layer.HiddenSize, layer.InputSize));
            list.Add(new(LstmTensorNames.WeightHh(k), layer.WeightHh, 4 * layer.HiddenSize, layer.HiddenSize));
        }
        list.Add(new(LstmTensorNames.HeadWeight, model.HeadWeight, model.VocabularySize, model.HiddenSize));
        return list;
    }
}
