using System.CommandLine;
using EdgeLstm.Cli;

namespace EdgeLstm.Trainer;

/// <summary>`edgelstm-train calibrate`: fits a softmax temperature on validation text and folds it into a float model.</summary>
public static class CalibrateCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "Float model to calibrate (safetensors)", Required = true };
        var valid = new Option<FileInfo>("--valid") { Description = "Validation text (UTF-8) to fit the temperature on; never the test text", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the calibrated model (may be --model itself)", Required = true };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("calibrate",
            "Fit the softmax temperature T that minimises bits/char on --valid and divide the output layer's weight and bias by it " +
            "(exact: the runtime and file format do not change)")
        {
            model, valid, output, threads,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            int threadCount = result.GetValue(threads);
            if (threadCount <= 0) throw new ArgumentException("--threads must be > 0");
            TorchSharp.torch.set_num_threads(threadCount);
            string outputPath = result.GetValue(output)!.FullName;
            var calibration = TemperatureCalibration.CalibrateFile(result.GetValue(model)!.FullName, result.GetValue(valid)!.FullName, outputPath);
            Report(calibration, outputPath);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static void Report(TemperatureCalibration.Result calibration, string outputPath) =>
        Console.WriteLine($"temperature {calibration.Temperature:F4}: validation {calibration.ValidBitsPerCharBefore:F4} → " +
            $"{calibration.ValidBitsPerCharAfter:F4} bits/char; model: {outputPath}");
}
