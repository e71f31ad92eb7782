using System.Text.Json.Serialization;
using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Runtime;

/// <summary>
/// How a forecaster's input is built from a daily series, so the runtime computes exactly what the trainer fed.
/// The step for day d reads [the value of day d − 1 scaled by the level, the calendar features of day d] and its
/// output is day d's value on the same scale. The level is the mean of the last <see cref="LevelWindow"/> known
/// days; the scaled value is (value / level − <see cref="ValueMean"/>) / <see cref="ValueStd"/>.
/// </summary>
public sealed record SeriesDescription
{
    /// <summary>The feature recipe (<see cref="CalendarFeatures.Recipe"/>); <see cref="Features"/> must list its features.</summary>
    [JsonPropertyName("recipe")] public required string Recipe { get; init; }
    [JsonPropertyName("features")] public required string[] Features { get; init; }
    /// <summary>"recursive": a per-step head, each forecast fed back as the next step's value. "direct": the head at
    /// the first unknown day's step gives all <see cref="Horizon"/> days at once.</summary>
    [JsonPropertyName("strategy")] public required string Strategy { get; init; }
    /// <summary>Steps read before the first forecast day (the model was trained on windows this long).</summary>
    [JsonPropertyName("history")] public required int History { get; init; }
    [JsonPropertyName("level_window")] public required int LevelWindow { get; init; }
    [JsonPropertyName("horizon")] public required int Horizon { get; init; }
    [JsonPropertyName("value_mean")] public required float ValueMean { get; init; }
    [JsonPropertyName("value_std")] public required float ValueStd { get; init; }

    /// <summary>Days of history a forecast needs: enough for the first step's value and for the level.</summary>
    [JsonIgnore] public int RequiredHistory => Math.Max(History, LevelWindow);

    public void Validate(ModelDescription model, string source)
    {
        void Fail(string what) => DescriptionError.Throw(source, "input.series: " + what);
        if (Recipe != CalendarFeatures.Recipe) Fail($"recipe '{Recipe}' is not known; this runtime computes '{CalendarFeatures.Recipe}'");
        if (Features is null || !Features.AsSpan().SequenceEqual(CalendarFeatures.Names))
            Fail($"features must be the recipe's {CalendarFeatures.Names.Length}: {string.Join(", ", CalendarFeatures.Names)}");
        if (model.Input.Size != Features!.Length) Fail($"input.size {model.Input.Size} must equal the {Features.Length} features");
        if (model.Input.Mean is not null || model.Input.Std is not null) Fail("the value's scaling is value_mean and value_std; input.mean and input.std must be absent");
        if (History is < 1 or > 100_000) Fail($"history must be 1..100000, got {History}");
        if (LevelWindow is < 1 or > 100_000) Fail($"level_window must be 1..100000, got {LevelWindow}");
        if (Horizon is < 1 or > 10_000) Fail($"horizon must be 1..10000, got {Horizon}");
        if (!float.IsFinite(ValueMean) || !(float.IsFinite(ValueStd) && ValueStd > 0)) Fail("value_mean must be finite and value_std positive");
        var head = model.Head;
        switch (Strategy)
        {
            case ForecastStrategies.Recursive:
                if (head.Kind != HeadKinds.Regress || head.Pooling != Poolings.None || head.Size != 1 || !model.IsForwardOnly)
                    Fail("a recursive forecaster needs forward layers and a regress head with pooling none and size 1");
                break;
            case ForecastStrategies.Direct:
                if (head.Kind != HeadKinds.Regress || head.Pooling != Poolings.Last || head.Size != Horizon)
                    Fail($"a direct forecaster needs a regress head with pooling last and size {Horizon} (the horizon)");
                break;
            default:
                Fail($"strategy '{Strategy}' is not one of recursive, direct");
                break;
        }
    }
}

public static class ForecastStrategies
{
    public const string Recursive = "recursive";
    public const string Direct = "direct";
}
