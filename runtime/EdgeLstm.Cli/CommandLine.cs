namespace EdgeLstm.Cli;

internal static class CommandLine
{
    /// <summary>Parses and runs; a parse error is one line on stderr and exit code 2, like every user error.</summary>
    public static int Run(RootCommand root, string[] args)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {parsed.Errors[0].Message.Split('\n')[0].TrimEnd()} (try --help)");
            return ExitCodes.UsageError;
        }
        return parsed.Invoke();
    }
}
