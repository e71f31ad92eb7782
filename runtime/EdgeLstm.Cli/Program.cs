using System.CommandLine;
using EdgeLstm.Cli;

// `edgelstm`: the device tool. Parse errors are one line on stderr and exit code 2, like every user error.
var root = new RootCommand("edgelstm: runs LSTM models on the device (text generation, text classification, forecasting, grapheme-to-phoneme, punctuation and other tagging, sequence models)")
{
    GenerateCommand.Create(),
    ClassifyCommand.Create(),
    ForecastCommand.Create(),
    G2pCommand.Create(),
    TagCommand.Create(),
    EvalCommand.Create(),
    InfoCommand.Create(),
#if PLOTS
    InspectCommand.Create(),
#else
    AnalysisLeftOut.Inspect(),
#endif
    ConvertCommand.Create(),
};
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"error: {parsed.Errors[0].Message.Split('\n')[0].TrimEnd()} (try --help)");
    return ExitCodes.UsageError;
}
return parsed.Invoke();
