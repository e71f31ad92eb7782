namespace EdgeLstm.Runtime.Float;

/// <summary>
/// One LSTM layer in PyTorch's layout: the 4H rows of each matrix are the gates in order i, f, g, o;
/// <c>WeightIh</c> is [4H, input] and <c>WeightHh</c> is [4H, H], both row-major.
/// </summary>
public sealed class FloatLstmLayer(int inputSize, int hiddenSize, float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh)
{
    public int InputSize { get; } = inputSize;
    public int HiddenSize { get; } = hiddenSize;
    public float[] WeightIh { get; } = weightIh;
    public float[] WeightHh { get; } = weightHh;
    public float[] BiasIh { get; } = biasIh;
    public float[] BiasHh { get; } = biasHh;

    public long ParameterCount => WeightIh.LongLength + WeightHh.LongLength + BiasIh.LongLength + BiasHh.LongLength;
}
