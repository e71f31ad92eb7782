using System.CommandLine;
using EdgeLstm.Runtime;

namespace EdgeLstm.Cli;

/// <summary>`edgelstm info`: what a model is (architecture, parameters, size, vocabulary, training metadata).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var command = new Command("info", "Show a model's architecture, parameter count and file size") { model };
        command.SetAction(result => UserErrors.Run(() =>
        {
            var (loaded, name, bytes) = ModelSource.Load(result.GetValue(model));
            Console.WriteLine($"model:        {name}");
            Console.WriteLine($"format:       safetensors, float32 ({bytes:N0} bytes)");
            Console.WriteLine($"task:         {(loaded.Metadata.TryGetValue(ModelMetadataKeys.Task, out var task) ? task : ModelMetadataKeys.CharLmTask)}");
            Console.WriteLine($"architecture: embedding {loaded.VocabularySize}×{loaded.EmbeddingDim} → " +
                string.Join(" → ", Array.ConvertAll(loaded.Layers, l => $"LSTM {l.InputSize}→{l.HiddenSize}")) +
                $" → linear {loaded.HiddenSize}→{loaded.VocabularySize}");
            Console.WriteLine($"parameters:   {loaded.ParameterCount:N0}");
            Console.WriteLine($"vocabulary:   {loaded.VocabularySize} tokens (code points; id 0 = unknown)");
            foreach (var (key, value) in loaded.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                if (key.StartsWith("edgelstm.trainer.", StringComparison.Ordinal))
                    Console.WriteLine($"{key["edgelstm.".Length..] + ":",-13} {value}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
