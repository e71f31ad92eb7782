namespace EdgeLstm.Cli;

/// <summary>
/// What the device tool says for the verbs it leaves to `edgelstm-dev`: convert (the converter and its readers),
/// inspect (the page and the regular-expression engine) and --plot (ScottPlot and SkiaSharp's native libraries).
/// </summary>
internal static class DevToolVerbs
{
    public const string Hint = "is in edgelstm-dev, the workstation tool (the device tool stays small with no native library beside it)";

    public static Command LeftOut(string verb, string description)
    {
        var command = new Command(verb, $"{description}: not in the device tool; run `edgelstm-dev {verb}`");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(_ => UserErrors.Run(() => throw new NotSupportedException($"{verb} {Hint}: run `edgelstm-dev {verb} ...`")));
        return command;
    }
}
