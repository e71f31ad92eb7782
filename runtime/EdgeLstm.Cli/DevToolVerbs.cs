using System.CommandLine;

namespace EdgeLstm.Cli;

/// <summary>
/// What a device build (PlotSupport=false) says instead of the analysis tools it leaves out: `inspect` brings the
/// regular-expression engine (1.0 MB of the x64 executable) and the page, `--plot` ScottPlot and SkiaSharp.
/// </summary>
internal static class AnalysisLeftOut
{
    public static Command Inspect()
    {
        var command = new Command("inspect", "Not in this build: the HTML inspection page (PlotSupport=false keeps the device build small)");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(_ => UserErrors.Run(() =>
            throw new NotSupportedException("inspect: this edgelstm was built without the analysis tools (PlotSupport=false keeps the device build small); use a desktop build")));
        return command;
    }
}
