namespace EdgeLstm.Tests;

/// <summary>
/// An int8 LSTM written from docs/format.md and docs/kernels.md alone, in plain scalar loops, without
/// <see cref="Int8Recurrence"/>, <see cref="Int8Encoder"/> or any <see cref="ILstmKernels"/>: the oracle every
/// kernel variant and every driver shape (session, prefill, batch, runner, two threads) must match bit for bit.
/// Per step and layer: the input quantized by its own range (or the layer's static h scale), exact int32 products,
/// pre-activation bias + accIh·(sIh·sx) + accHh·(sHh·sh) in that order, the two-division cell with
/// <see cref="DeterministicMath.Exp"/>; the output layer bias + acc·(s·sh) on the top layer's h.
/// </summary>
internal static class Int8StepOracle
{
    /// <summary>The top layer's outputs [steps × EncoderWidth] for one sequence from zero state.</summary>
    public static float[] Encode(QuantizedLstmModel model, int[] tokens)
    {
        ModelDescription d = model.Description;
        int steps = tokens.Length, e = d.Input.Size;
        // Layer 0's input: the int8 embedding rows with their scales.
        var xq = new sbyte[steps][];
        var xs = new float[steps];
        for (int t = 0; t < steps; t++)
        {
            xq[t] = model.Embedding.Dense.Slice(tokens[t] * e, e).ToArray();
            xs[t] = model.Embedding.Scales[tokens[t]];
        }
        float[][] outputs = [];
        for (int k = 0; k < d.Encoder.Length; k++)
        {
            if (k > 0)
                for (int t = 0; t < steps; t++) (xq[t], xs[t]) = Quantize(outputs[t], StaticScale(model, k - 1));
            int hidden = d.Encoder[k].Hidden, width = d.Encoder[k].OutputWidth;
            outputs = new float[steps][];
            for (int t = 0; t < steps; t++) outputs[t] = new float[width];
            for (int direction = 0; direction < d.Encoder[k].Directions; direction++)
            {
                QuantizedLstmLayer layer = direction == 0 ? model.Layers[k] : model.ReverseLayers[k]!;
                // docs/model-description.md: a bidirectional layer's second direction, and a reverse layer's only one, read from the last step.
                bool backward = direction == 1 || d.Encoder[k].Reverse;
                var h = new float[hidden];
                var c = new float[hidden];
                for (int s = 0; s < steps; s++)
                {
                    int t = backward ? steps - 1 - s : s;
                    Step(layer, xq[t], xs[t], StaticScale(model, k), h, c);
                    h.CopyTo(outputs[t], direction * hidden);
                }
            }
        }
        return outputs.SelectMany(o => o).ToArray();
    }

    /// <summary>The output layer on each step's top outputs (a per-step head: next token, tags): [steps × Head.Size].</summary>
    public static float[] PerStepHead(QuantizedLstmModel model, int[] tokens)
    {
        int width = model.Description.EncoderWidth;
        float[] encoded = Encode(model, tokens);
        float topScale = StaticScale(model, model.Description.Encoder.Length - 1);
        var all = new List<float>();
        for (int t = 0; t < tokens.Length; t++)
        {
            var (q, s) = Quantize(encoded.AsSpan(t * width, width).ToArray(), topScale);
            int[] acc = Product(model.Head, q);
            for (int v = 0; v < acc.Length; v++) all.Add(model.HeadBias[v] + acc[v] * (model.Head.Scales[v] * s));
        }
        return all.ToArray();
    }

    private static float StaticScale(QuantizedLstmModel model, int layer) => model.StaticHScales?[layer] ?? 0f;

    private static void Step(QuantizedLstmLayer layer, sbyte[] xq, float xScale, float staticScale, float[] h, float[] c)
    {
        int hidden = h.Length;
        var (hq, hScale) = Quantize(h, staticScale);
        int[] accIh = Product(layer.WeightIh, xq), accHh = Product(layer.WeightHh, hq);
        float Pre(int r) => layer.Bias[r] + accIh[r] * (layer.WeightIh.Scales[r] * xScale) + accHh[r] * (layer.WeightHh.Scales[r] * hScale);
        for (int j = 0; j < hidden; j++)
            (c[j], h[j]) = Cell(Pre(j), Pre(hidden + j), Pre(2 * hidden + j), Pre(3 * hidden + j), c[j]);
    }

    /// <summary>docs/kernels.md: A = 1 + e^-i, F = 1 + e^-f, G = e^2g, C = e^2c'; c' = (c·A·(G+1) + (G−1)·F) / (F·A·(G+1)), h = (C−1) / ((1 + e^-o)·(C+1)).</summary>
    private static (float C, float H) Cell(float i, float f, float g, float o, float c)
    {
        static float Clamp(float x, float limit) => MathF.Min(MathF.Max(x, -limit), limit);
        float a = 1f + DeterministicMath.Exp(-Clamp(i, 20f));
        float fd = 1f + DeterministicMath.Exp(-Clamp(f, 20f));
        float gc = Clamp(g, 10f);
        float ge = DeterministicMath.Exp(gc + gc);
        float ag = a * (ge + 1f);
        float cNew = (c * ag + (ge - 1f) * fd) / (fd * ag);
        float cc = Clamp(cNew, 10f);
        float ce = DeterministicMath.Exp(cc + cc);
        float od = 1f + DeterministicMath.Exp(-Clamp(o, 20f));
        return (cNew, (ce - 1f) / (od * (ce + 1f)));
    }

    /// <summary>s = max|x| / 127 (or the static scale), q = round-half-even(x / s) clamped to ±127; all-zero x gives s = 0, q = 0.</summary>
    private static (sbyte[] Q, float Scale) Quantize(float[] x, float staticScale)
    {
        float scale = staticScale;
        var q = new sbyte[x.Length];
        if (scale == 0f)
        {
            float max = 0f;
            foreach (float v in x) max = MathF.Max(max, MathF.Abs(v));
            if (max == 0f) return (q, 0f);
            scale = max / 127f;
        }
        for (int j = 0; j < x.Length; j++) q[j] = (sbyte)Math.Clamp(MathF.Round(x[j] / scale, MidpointRounding.ToEven), -127f, 127f);
        return (q, scale);
    }

    private static int[] Product(QuantizedMatrix w, sbyte[] x)
    {
        var y = new int[w.Rows];
        if (w.IsInt4)
        {
            Int4Reference.MatVec(w.Int4, x, y); // read through the layout's accessors, in plain loops
            return y;
        }
        if (w.Layout != TensorLayout.Dense)
        {
            Int8Reference.BlockSparseMatVec(w.BlockSparse, x, y); // the layout is the file reader's; its products are plain loops
            return y;
        }
        ReadOnlySpan<sbyte> dense = w.Dense;
        for (int r = 0; r < w.Rows; r++)
        {
            int sum = 0;
            for (int j = 0; j < w.Columns; j++) sum += dense[r * w.Columns + j] * x[j];
            y[r] = sum;
        }
        return y;
    }
}
