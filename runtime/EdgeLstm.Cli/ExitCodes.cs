namespace EdgeLstm.Cli;

/// <summary>Exit codes shared by `edgelstm` and `edgelstm-train` (this file is linked into both).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>An unexpected internal failure (a bug): the only case that prints a stack trace.</summary>
    public const int InternalError = 1;
    /// <summary>Bad command line: unknown option, value out of range, prompt the model cannot encode.</summary>
    public const int UsageError = 2;
    /// <summary>A file is missing or cannot be read or written.</summary>
    public const int FileError = 3;
    /// <summary>A model or data file is corrupt, truncated or of the wrong shape.</summary>
    public const int InvalidModel = 4;
    /// <summary>Stopped by Ctrl-C (128 + SIGINT), after saving what was safe to save.</summary>
    public const int Interrupted = 130;
}
