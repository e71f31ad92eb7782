using Spectre.Console;

namespace EdgeLstm.Trainer;

/// <summary>
/// The progress of one epoch's batches, which the body reports as (percent, text): a Spectre bar (text, bar,
/// percent, elapsed, remaining) in an interactive terminal, cleared at the epoch's end so that the trainer's line per
/// epoch follows it; elsewhere (a pipe, a log file, quiet) the reports go to <paramref name="fallback"/>, if any.
/// </summary>
internal static class EpochProgress
{
    public static void Run(string title, bool quiet, Action<Action<double, string>> body, Action<double, string>? fallback = null)
    {
        if (quiet || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            body(fallback ?? ((_, _) => { }));
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 100);
                body((percent, text) =>
                {
                    task.Description = Markup.Escape(text);
                    task.Value = percent;
                });
            });
    }
}
