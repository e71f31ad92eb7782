namespace EdgeLstm.Trainer;

/// <summary>
/// The bag-of-words baseline: multinomial logistic regression on which vocabulary words a text contains (binary
/// features, the classifier's own word tokenizer built on the same training texts), L2-regularised, trained by
/// full-batch Adam; the iteration count is chosen on the validation texts, as the LSTM's epochs are.
/// </summary>
public sealed class BagOfWordsBaseline
{
    private readonly float[] _w; // [classes, vocabulary]
    private readonly float[] _b;
    private readonly int _vocabulary, _classes;

    private BagOfWordsBaseline(int vocabulary, int classes)
    {
        _vocabulary = vocabulary;
        _classes = classes;
        _w = new float[classes * vocabulary];
        _b = new float[classes];
    }

    public const int MaxIterations = 400;
    public const float L2 = 1e-4f, LearningRate = 0.05f;

    public static BagOfWordsBaseline Train(int[][] train, int[] trainLabels, int[][] valid, int[] validLabels, int vocabulary, int classes)
    {
        var model = new BagOfWordsBaseline(vocabulary, classes);
        int[][] features = Array.ConvertAll(train, Distinct);
        int[][] validFeatures = Array.ConvertAll(valid, Distinct);
        int parameters = classes * vocabulary + classes;
        var m = new float[parameters];
        var v = new float[parameters];
        var grad = new float[parameters];
        var logits = new float[classes];
        var best = (Accuracy: -1.0, W: (float[])model._w.Clone(), B: (float[])model._b.Clone());
        for (int it = 1; it <= MaxIterations; it++)
        {
            Array.Clear(grad);
            for (int i = 0; i < features.Length; i++)
            {
                model.Logits(features[i], logits);
                Softmax(logits);
                for (int c = 0; c < classes; c++)
                {
                    float g = (logits[c] - (c == trainLabels[i] ? 1f : 0f)) / features.Length;
                    foreach (int f in features[i]) grad[c * vocabulary + f] += g;
                    grad[classes * vocabulary + c] += g;
                }
            }
            for (int j = 0; j < classes * vocabulary; j++) grad[j] += L2 * model._w[j];
            // Adam, β1 0.9, β2 0.999.
            float correction1 = 1 - MathF.Pow(0.9f, it), correction2 = 1 - MathF.Pow(0.999f, it);
            for (int j = 0; j < parameters; j++)
            {
                m[j] = 0.9f * m[j] + 0.1f * grad[j];
                v[j] = 0.999f * v[j] + 0.001f * grad[j] * grad[j];
                float step = LearningRate * (m[j] / correction1) / (MathF.Sqrt(v[j] / correction2) + 1e-8f);
                if (j < classes * vocabulary) model._w[j] -= step;
                else model._b[j - classes * vocabulary] -= step;
            }
            if (it % 10 == 0)
            {
                double accuracy = model.Accuracy(validFeatures, validLabels);
                if (accuracy > best.Accuracy) best = (accuracy, (float[])model._w.Clone(), (float[])model._b.Clone());
            }
        }
        best.W.CopyTo(model._w, 0);
        best.B.CopyTo(model._b, 0);
        return model;
    }

    /// <summary>Accuracy on token id sequences.</summary>
    public double Score(int[][] texts, int[] labels) => Accuracy(Array.ConvertAll(texts, Distinct), labels);

    public int Predict(int[] tokens)
    {
        var logits = new float[_classes];
        Logits(Distinct(tokens), logits);
        int arg = 0;
        for (int c = 1; c < _classes; c++) if (logits[c] > logits[arg]) arg = c;
        return arg;
    }

    private double Accuracy(int[][] features, int[] labels)
    {
        var logits = new float[_classes];
        int correct = 0;
        for (int i = 0; i < features.Length; i++)
        {
            Logits(features[i], logits);
            int arg = 0;
            for (int c = 1; c < _classes; c++) if (logits[c] > logits[arg]) arg = c;
            if (arg == labels[i]) correct++;
        }
        return (double)correct / features.Length;
    }

    private void Logits(int[] features, float[] logits)
    {
        for (int c = 0; c < _classes; c++)
        {
            float sum = _b[c];
            foreach (int f in features) sum += _w[c * _vocabulary + f];
            logits[c] = sum;
        }
    }

    private static void Softmax(float[] x)
    {
        float max = x.Max(), sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] = MathF.Exp(x[i] - max);
        for (int i = 0; i < x.Length; i++) x[i] /= sum;
    }

    /// <summary>The distinct vocabulary words of a text, without &lt;pad&gt; and &lt;unk&gt;.</summary>
    private static int[] Distinct(int[] tokens) => tokens.Where(t => t > 1).Distinct().ToArray();
}
