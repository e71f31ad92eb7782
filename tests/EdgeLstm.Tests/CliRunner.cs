namespace EdgeLstm.Tests;

/// <summary>Runs the real `edgelstm` and `edgelstm-train` CLIs (built beside the tests) as child processes.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>The device tool, `edgelstm`.</summary>
    public static Result Run(params string[] args) => RunTool("edgelstm", args);

    /// <summary>The workstation tool, `edgelstm-dev`: convert, inspect, the plot options, and every verb of the device tool.</summary>
    public static Result RunDev(params string[] args) => RunTool("edgelstm-dev", args);

    /// <summary>`edgelstm` with extra environment variables.</summary>
    public static Result RunWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args) => RunTool("edgelstm", args, environment);

    public static Result RunTrainer(params string[] args) => RunTool("edgelstm-train", args);

    private static Result RunTool(string tool, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, tool + ".dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(tool + " " + string.Join(' ', args) + " did not finish in 120 s");
        }
        return new Result(process.ExitCode, stdout, stderr.Result);
    }
}
