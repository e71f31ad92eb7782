using EdgeLstm.Cli;

// `edgelstm`: the device tool. Parse errors are one line on stderr and exit code 2, like every user error.
var root = DeviceVerbs.Root("edgelstm: runs LSTM models on the device (text generation, text classification, forecasting, grapheme-to-phoneme, punctuation and other tagging, sequence models)",
    DevToolVerbs.LeftOut("inspect", "Write an HTML page of what the model does on a text"),
    DevToolVerbs.LeftOut("convert", "Prune and quantize a float model into .elstm"));
return CommandLine.Run(root, args);
