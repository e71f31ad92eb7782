using System.CommandLine;
using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Cli;

/// <summary>`edgelstm info`: what a model is (format, task, architecture, parameters, size, vocabulary, training record).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var command = new Command("info", "Show a model's format, task, architecture, parameter count and file size") { model };
        command.SetAction(result => UserErrors.Run(() =>
        {
            using var loaded = ModelSource.Load(result.GetValue(model));
            Console.WriteLine($"model:        {loaded.Name}");
            Console.WriteLine($"format:       {loaded.Format}");
            Console.WriteLine($"file size:    {loaded.Bytes:N0} bytes");
            switch (loaded.Model)
            {
                case FloatLstmModel f:
                    Describe(loaded, Array.ConvertAll(f.Layers, l => (l.InputSize, l.HiddenSize)), f.ParameterCount);
                    foreach (var (key, value) in f.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                        if (key.StartsWith("edgelstm.trainer.", StringComparison.Ordinal) || key.StartsWith("edgelstm.calibration.", StringComparison.Ordinal))
                            Console.WriteLine($"{key["edgelstm.".Length..]}: {value}");
                    break;
                case QuantizedLstmModel q:
                    // Stored parameters: each layer keeps b_ih + b_hh as one fused bias.
                    long parameters = (long)q.Head.Rows * q.Head.Columns + q.HeadBias.Length;
                    if (q.HasEmbedding) parameters += (long)q.Embedding.Rows * q.Embedding.Columns;
                    foreach (var l in q.Layers)
                        parameters += (long)l.WeightIh.Rows * (l.WeightIh.Columns + l.WeightHh.Columns) + l.Bias.Length;
                    Describe(loaded, Array.ConvertAll(q.Layers, l => (l.InputSize, l.HiddenSize)), parameters);
                    foreach (var (k, l) in q.Layers.Index())
                        Console.WriteLine($"sparsity:     layer {k}: W_ih {100 * l.WeightIh.Sparsity:F1}%, W_hh {100 * l.WeightHh.Sparsity:F1}%");
                    Console.WriteLine($"sparsity:     output layer {100 * q.Head.Sparsity:F1}%");
                    break;
            }
            if (loaded.CompactFile is { } file)
                Console.WriteLine($"producer:     {file.Metadata.Producer} {file.Metadata.ProducerVersion} from {file.Metadata.Source}");
            Console.WriteLine($"kernels:      {LstmKernels.Default.Name}");
            if (InstructionSetCheck.Limitation() is { } limitation) Console.WriteLine($"warning:      {limitation}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Describe(ModelSource.Loaded loaded, (int Input, int Hidden)[] layers, long parameters)
    {
        ILanguageModel m = loaded.Model;
        string input = m.HasEmbedding ? $"embedding {m.VocabularySize}×{m.EmbeddingDim}" : $"input vectors of {m.EmbeddingDim}";
        Console.WriteLine($"task:         {loaded.Task}");
        Console.WriteLine($"architecture: {input} → " +
            string.Join(" → ", Array.ConvertAll(layers, l => $"LSTM {l.Input}→{l.Hidden}")) + $" → linear {layers[^1].Hidden}→{m.VocabularySize}");
        Console.WriteLine($"parameters:   {parameters:N0}");
        if (m.HasEmbedding) Console.WriteLine($"vocabulary:   {m.VocabularySize} tokens (code points; id 0 = unknown)");
        else Console.WriteLine($"outputs:      {m.VocabularySize} floats per step");
    }
}
