namespace EdgeLstm.Runtime;

/// <summary>Accuracy, per-class and macro F1, and the confusion matrix of predicted against true labels (indices).</summary>
public sealed class ClassificationMetrics
{
    public ClassificationMetrics(IReadOnlyList<string> labels, ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        if (truth.Length != predicted.Length) throw new ArgumentException("truth and predictions differ in length");
        Labels = labels;
        int n = labels.Count;
        Confusion = new int[n, n];
        for (int i = 0; i < truth.Length; i++) Confusion[truth[i], predicted[i]]++;
        Count = truth.Length;
        int correct = 0;
        for (int c = 0; c < n; c++) correct += Confusion[c, c];
        Accuracy = Count == 0 ? 0 : (double)correct / Count;
        F1 = new double[n];
        Precision = new double[n];
        Recall = new double[n];
        for (int c = 0; c < n; c++)
        {
            int tp = Confusion[c, c], predictedC = 0, actualC = 0;
            for (int k = 0; k < n; k++)
            {
                predictedC += Confusion[k, c];
                actualC += Confusion[c, k];
            }
            F1[c] = predictedC + actualC == 0 ? 0 : 2.0 * tp / (predictedC + actualC);
            Precision[c] = predictedC == 0 ? 0 : (double)tp / predictedC;
            Recall[c] = actualC == 0 ? 0 : (double)tp / actualC;
        }
        MacroF1 = F1.Average();
    }

    public IReadOnlyList<string> Labels { get; }
    public int Count { get; }
    public double Accuracy { get; }
    /// <summary>Of the steps predicted as each label, the fraction that are (0 when none is predicted).</summary>
    public double[] Precision { get; }
    /// <summary>Of the steps that are each label, the fraction predicted as it (0 when there are none).</summary>
    public double[] Recall { get; }
    /// <summary>F1 of each label taken as the positive class.</summary>
    public double[] F1 { get; }
    public double MacroF1 { get; }
    /// <summary>[true label, predicted label] counts.</summary>
    public int[,] Confusion { get; }

    /// <summary>Index of the largest value (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
