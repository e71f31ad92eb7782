namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// Steps an int8 model with the scalar reference kernels. Each matrix input is quantized per step by its
/// own range (layer 0's input is the int8 embedding row itself), products accumulate exactly in int32, and
/// the gate non-linearities and the cell state stay in float.
/// </summary>
public sealed class QuantizedLstmSession : ILanguageModelSession
{
    private readonly QuantizedLstmModel _model;
    private readonly float[][] _h;
    private readonly float[][] _c;
    private readonly sbyte[] _xq;
    private readonly sbyte[] _hq;
    private readonly int[] _accIh;
    private readonly int[] _accHh;
    private readonly float[] _logits;

    internal QuantizedLstmSession(QuantizedLstmModel model)
    {
        _model = model;
        int layers = model.Layers.Length;
        _h = new float[layers][];
        _c = new float[layers][];
        int widest = model.EmbeddingDim, rows = 0;
        for (int k = 0; k < layers; k++)
        {
            int hidden = model.Layers[k].HiddenSize;
            _h[k] = new float[hidden];
            _c[k] = new float[hidden];
            widest = Math.Max(widest, hidden);
            rows = Math.Max(rows, 4 * hidden);
        }
        _xq = new sbyte[widest];
        _hq = new sbyte[widest];
        _accIh = new int[Math.Max(rows, model.VocabularySize)];
        _accHh = new int[rows];
        _logits = new float[model.VocabularySize];
    }

    public CharTokenizer Tokenizer => _model.Tokenizer;
    public ReadOnlySpan<float> Logits => _logits;

    public void Reset()
    {
        foreach (var h in _h) Array.Clear(h);
        foreach (var c in _c) Array.Clear(c);
    }

    public ReadOnlySpan<float> Step(int token)
    {
        if ((uint)token >= (uint)_model.VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id must be below {_model.VocabularySize}");
        int e = _model.EmbeddingDim;
        _model.Embedding.Dense.Slice(token * e, e).CopyTo(_xq);
        float xScale = _model.Embedding.Scales[token];
        int inputSize = e;
        for (int k = 0; k < _model.Layers.Length; k++)
        {
            if (k > 0)
            {
                inputSize = _h[k - 1].Length;
                xScale = Int8Reference.QuantizeDynamic(_h[k - 1], _xq.AsSpan(0, inputSize));
            }
            StepLayer(_model.Layers[k], _xq.AsSpan(0, inputSize), xScale, _h[k], _c[k]);
        }
        float[] top = _h[^1];
        float hScale = Int8Reference.QuantizeDynamic(top, _hq.AsSpan(0, top.Length));
        Span<int> acc = _accIh.AsSpan(0, _model.VocabularySize);
        _model.Head.MatVec(_hq.AsSpan(0, top.Length), acc);
        float[] scales = _model.Head.Scales;
        for (int v = 0; v < _logits.Length; v++)
            _logits[v] = _model.HeadBias[v] + acc[v] * (scales[v] * hScale);
        return _logits;
    }

    private void StepLayer(QuantizedLstmLayer layer, ReadOnlySpan<sbyte> xq, float xScale, float[] h, float[] c)
    {
        int hidden = h.Length;
        float hScale = Int8Reference.QuantizeDynamic(h, _hq.AsSpan(0, hidden));
        Span<int> accIh = _accIh.AsSpan(0, 4 * hidden);
        Span<int> accHh = _accHh.AsSpan(0, 4 * hidden);
        layer.WeightIh.MatVec(xq, accIh);
        layer.WeightHh.MatVec(_hq.AsSpan(0, hidden), accHh);
        float[] sIh = layer.WeightIh.Scales, sHh = layer.WeightHh.Scales, bias = layer.Bias;
        // Gate pre-activation r: bias + accIh·(sIh·xScale) + accHh·(sHh·hScale), in exactly this order.
        for (int j = 0; j < hidden; j++)
        {
            int ri = j, rf = hidden + j, rg = 2 * hidden + j, ro = 3 * hidden + j;
            float i = Sigmoid(bias[ri] + accIh[ri] * (sIh[ri] * xScale) + accHh[ri] * (sHh[ri] * hScale));
            float f = Sigmoid(bias[rf] + accIh[rf] * (sIh[rf] * xScale) + accHh[rf] * (sHh[rf] * hScale));
            float g = MathF.Tanh(bias[rg] + accIh[rg] * (sIh[rg] * xScale) + accHh[rg] * (sHh[rg] * hScale));
            float o = Sigmoid(bias[ro] + accIh[ro] * (sIh[ro] * xScale) + accHh[ro] * (sHh[ro] * hScale));
            c[j] = f * c[j] + i * g;
            h[j] = o * MathF.Tanh(c[j]);
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
