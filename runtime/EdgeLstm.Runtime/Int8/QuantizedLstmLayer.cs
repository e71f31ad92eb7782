namespace EdgeLstm.Runtime.Int8;

/// <summary>One int8 LSTM layer: W_ih [4H, in] and W_hh [4H, H] with per-row scales, bias = b_ih + b_hh in float.</summary>
public sealed class QuantizedLstmLayer(QuantizedMatrix weightIh, QuantizedMatrix weightHh, float[] bias)
{
    public QuantizedMatrix WeightIh { get; } = weightIh;
    public QuantizedMatrix WeightHh { get; } = weightHh;
    public float[] Bias { get; } = bias;
    public int InputSize => WeightIh.Columns;
    public int HiddenSize => WeightHh.Columns;
}
