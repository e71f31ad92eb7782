namespace EdgeLstm.Runtime.Forecast;

/// <summary>Errors at one horizon: the model's (if any) and each baseline's, over the same target days.</summary>
public sealed record HorizonErrors(int Horizon, ForecastErrors? Model, ForecastErrors Naive7, ForecastErrors Naive364, ForecastErrors WeekdayMean)
{
    /// <summary>The lowest MAE of the three baselines.</summary>
    public double BestBaselineMae => Math.Min(Naive7.Mae, Math.Min(Naive364.Mae, WeekdayMean.Mae));
}

/// <summary>
/// Rolling-origin evaluation over a range of target days: every day in the range is a target at every horizon h,
/// forecast from the days before it minus h − 1 (so the same days are scored at each horizon, by the model and the
/// baselines alike). MASE divides by the in-sample lag-7 naive error of the days given as the scale.
/// </summary>
public static class ForecastEvaluator
{
    public static readonly int[] StandardHorizons = [1, 7, 28];

    /// <param name="forecaster">The model, or null for the baselines alone.</param>
    /// <param name="progress">Called with (forecasts done, forecasts in all).</param>
    public static IReadOnlyList<HorizonErrors> Evaluate(Forecaster? forecaster, DailySeries series, int targetStart, int targetEnd, int[] horizons,
        Action<int, int>? progress = null)
    {
        int maxHorizon = horizons.Max();
        float[] y = series.Values;
        int needed = Math.Max(364 * ((maxHorizon + 363) / 364), (maxHorizon + 6) / 7 * 7 + 21); // the baselines' look-back
        if (forecaster is not null) needed = Math.Max(needed, maxHorizon - 1 + forecaster.Series.RequiredHistory);
        if (targetStart < needed) throw new ArgumentException($"the first target day needs {needed} days before it; it has {targetStart}");
        if (targetEnd <= targetStart || targetEnd > y.Length) throw new ArgumentOutOfRangeException(nameof(targetEnd));
        if (forecaster is not null && forecaster.Series.Strategy == ForecastStrategies.Direct && maxHorizon > forecaster.Series.Horizon)
            throw new ArgumentException($"the model forecasts {forecaster.Series.Horizon} days; horizon {maxHorizon} was asked for");
        var result = horizons.Select(h => new HorizonErrors(h, forecaster is null ? null : new ForecastErrors(), new(), new(), new())).ToArray();
        if (forecaster is not null)
        {
            var forecast = new float[maxHorizon];
            // Origin o: days 0..o known. It forecasts o + 1 .. o + maxHorizon; each target in range is scored.
            int firstOrigin = targetStart - maxHorizon, lastOrigin = targetEnd - 2, total = lastOrigin - firstOrigin + 1;
            for (int o = firstOrigin; o <= lastOrigin; o++)
            {
                forecaster.Forecast(series.DayAt(o), y.AsSpan(0, o + 1), forecast);
                foreach (var r in result)
                {
                    int t = o + r.Horizon;
                    if (t >= targetStart && t < targetEnd) r.Model!.Add(forecast[r.Horizon - 1], y[t]);
                }
                progress?.Invoke(o - firstOrigin + 1, total);
            }
        }
        foreach (var r in result)
            for (int t = targetStart; t < targetEnd; t++)
            {
                r.Naive7.Add(SeasonalBaselines.Naive(y, t, r.Horizon, 7), y[t]);
                r.Naive364.Add(SeasonalBaselines.Naive(y, t, r.Horizon, 364), y[t]);
                r.WeekdayMean.Add(SeasonalBaselines.WeekdayMean(y, t, r.Horizon), y[t]);
            }
        return result;
    }
}
