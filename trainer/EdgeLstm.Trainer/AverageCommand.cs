using System.CommandLine;
using EdgeLstm.Cli;

namespace EdgeLstm.Trainer;

/// <summary>`edgelstm-train average`: checkpoint averaging (<see cref="CheckpointAverage"/>).</summary>
internal static class AverageCommand
{
    public static Command Create()
    {
        var models = new Argument<FileInfo[]>("models") { Description = "Float models of one description (safetensors), e.g. the last epochs of one run", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the averaged model (safetensors)", Required = true };
        var command = new Command("average",
            "Write the element-wise mean of several float models of one description (checkpoint averaging); score it on validation " +
            "(`edgelstm eval --fold valid`) before keeping it")
        {
            models, output,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            FileInfo[] inputs = result.GetValue(models)!;
            string outputPath = result.GetValue(output)!.FullName;
            CheckpointAverage.Write(inputs.Select(f => f.FullName).ToArray(), outputPath,
                "edgelstm-train " + string.Join(" ", result.Tokens.Select(t => t.Value)));
            Console.WriteLine($"averaged {inputs.Length} models into {outputPath}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
