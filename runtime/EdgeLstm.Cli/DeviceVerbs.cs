namespace EdgeLstm.Cli;

/// <summary>The verbs that run models: the whole device tool, and the part of `edgelstm-dev` that is the same.</summary>
internal static class DeviceVerbs
{
    public static RootCommand Root(string description, params Command[] more)
    {
        var root = new RootCommand(description)
        {
            GenerateCommand.Create(),
            ClassifyCommand.Create(),
            ForecastCommand.Create(),
            G2pCommand.Create(),
            TagCommand.Create(),
            EvalCommand.Create(),
            InfoCommand.Create(),
        };
        foreach (var command in more) root.Subcommands.Add(command);
        return root;
    }
}
