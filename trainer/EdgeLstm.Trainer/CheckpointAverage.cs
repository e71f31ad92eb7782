using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Trainer;

/// <summary>
/// Checkpoint averaging: the element-wise mean of several float models of one description (e.g. the last epochs of a
/// run), which often scores a little better than any one of them. The files must hold the same metadata (the model
/// description, vocabulary, format version; all but the training record) and the same tensors with the same shapes;
/// anything else is a one-line error naming the file and what differs.
/// </summary>
public static class CheckpointAverage
{
    /// <summary>Metadata under this prefix records how one file was trained; every other key says what the model is.</summary>
    private const string TrainingRecordPrefix = "edgelstm.trainer.";

    /// <summary>Averages <paramref name="inputs"/> into <paramref name="output"/> (written to a temporary file and renamed).
    /// The training record of the inputs (best epoch, scores) does not describe the mean, so it is not carried over.</summary>
    public static void Write(IReadOnlyList<string> inputs, string output, string commandLine)
    {
        if (inputs.Count < 2) throw new ArgumentException($"average needs at least two models, got {inputs.Count}");
        SafeTensorsFile first = SafeTensorsReader.Read(inputs[0]);
        Dictionary<string, string> identity = Identity(first);
        // Summed in double, in the order given: one rounding to float at the end, the same bits on every run.
        var sums = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (name, info) in first.Tensors) sums[name] = Widen(first.ReadFloats(info));
        for (int f = 1; f < inputs.Count; f++)
        {
            SafeTensorsFile file = SafeTensorsReader.Read(inputs[f]);
            Dictionary<string, string> other = Identity(file);
            foreach (string key in identity.Keys.Union(other.Keys))
                if (identity.GetValueOrDefault(key) != other.GetValueOrDefault(key))
                    throw new ArgumentException($"{file.Source}: metadata '{key}' differs from {first.Source}'s; only models of one description can be averaged");
            foreach (var (name, info) in first.Tensors)
            {
                if (!file.Tensors.TryGetValue(name, out SafeTensorInfo? tensor))
                    throw new ArgumentException($"{file.Source}: tensor '{name}' is missing (it is in {first.Source})");
                if (tensor.ShapeText != info.ShapeText)
                    throw new ArgumentException($"{file.Source}: tensor '{name}' is {tensor.ShapeText}; {first.Source} has {info.ShapeText}");
                float[] values = file.ReadFloats(tensor);
                double[] sum = sums[name];
                for (int i = 0; i < values.Length; i++) sum[i] += values[i];
            }
            foreach (string name in file.Tensors.Keys)
                if (!first.Tensors.ContainsKey(name))
                    throw new ArgumentException($"{file.Source}: tensor '{name}' is not in {first.Source}");
        }
        var tensors = new List<SafeTensorsWriter.Tensor>(first.Tensors.Count);
        foreach (var (name, info) in first.Tensors)
        {
            double[] sum = sums[name];
            var mean = new float[sum.Length];
            for (int i = 0; i < sum.Length; i++) mean[i] = (float)(sum[i] / inputs.Count);
            tensors.Add(new SafeTensorsWriter.Tensor(name, info.Shape, mean));
        }
        identity[TrainingRecordPrefix + "command"] = commandLine;
        identity[TrainingRecordPrefix + "averaged"] = string.Join(", ", inputs.Select(Path.GetFileName));
        SafeTensorsWriter.Write(output, tensors, identity);
    }

    private static Dictionary<string, string> Identity(SafeTensorsFile file)
    {
        var identity = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Metadata)
            if (!key.StartsWith(TrainingRecordPrefix, StringComparison.Ordinal)) identity[key] = value;
        return identity;
    }

    private static double[] Widen(float[] values)
    {
        var wide = new double[values.Length];
        for (int i = 0; i < values.Length; i++) wide[i] = values[i];
        return wide;
    }
}
