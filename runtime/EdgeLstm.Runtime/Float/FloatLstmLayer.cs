namespace EdgeLstm.Runtime.Float;

/// <summary>
/// One LSTM layer in PyTorch's layout: the 4H rows of each matrix are the gates in order i, f, g, o;
/// <c>WeightIh</c> is [4H, input] and <c>WeightHh</c> is [4H, H], both row-major, and each again as the
/// <see cref="PackedFloatMatrix"/> the products read (the row-major arrays stay for the converter, the scalar
/// reference and saving; a float model holds its LSTM weights twice).
/// </summary>
public sealed class FloatLstmLayer(int inputSize, int hiddenSize, float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh)
{
    public int InputSize { get; } = inputSize;
    public int HiddenSize { get; } = hiddenSize;
    public float[] WeightIh { get; } = weightIh;
    public float[] WeightHh { get; } = weightHh;
    public float[] BiasIh { get; } = biasIh;
    public float[] BiasHh { get; } = biasHh;
    public PackedFloatMatrix PackedIh { get; } = new(weightIh, 4 * hiddenSize, inputSize);
    public PackedFloatMatrix PackedHh { get; } = new(weightHh, 4 * hiddenSize, hiddenSize);

    public long ParameterCount => WeightIh.LongLength + WeightHh.LongLength + BiasIh.LongLength + BiasHh.LongLength;
}
