namespace EdgeLstm.Cli;

/// <summary>
/// Turns the exceptions a user can cause into one line on stderr and an exit code (no stack trace).
/// Linked into `edgelstm` and `edgelstm-train` so both report errors the same way.
/// </summary>
internal static class UserErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (ExitCodeFor(e) is int code)
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {e.Message}");
            return code;
        }
    }

    public static int? ExitCodeFor(Exception e) => e switch
    {
        ModelFormatException or InvalidDataException => ExitCodes.InvalidModel,
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException => ExitCodes.FileError,
        ArgumentException => ExitCodes.UsageError,
        FormatException => ExitCodes.UsageError, // a data file that is not what the verb reads (e.g. labelled texts without a label column)
        NotSupportedException => ExitCodes.UsageError, // e.g. generate on a sequence model, which has no vocabulary
        OperationCanceledException => ExitCodes.Interrupted,
        _ => null,
    };
}
