using EdgeLstm.Cli;

// `edgelstm-dev`: the workstation tool — every verb of the device tool, and convert, inspect and --plot.
var root = DeviceVerbs.Root("edgelstm-dev: converts, inspects and plots LSTM models on a workstation, and runs them as the device tool `edgelstm` does",
    InspectCommand.Create(),
    ConvertCommand.Create());
return CommandLine.Run(root, args);
