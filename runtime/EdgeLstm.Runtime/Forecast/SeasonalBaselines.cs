namespace EdgeLstm.Runtime.Forecast;

/// <summary>
/// The forecasting baselines a forecaster must beat, for a daily series: each predicts the value at day
/// <c>t</c> from what was known at the forecast origin <c>t − horizon + 1</c> (days before it only).
/// Seasonal naive at a lag uses the latest day that many lags back that was known then; the weekday mean averages
/// the last four known values of the same weekday.
/// </summary>
public static class SeasonalBaselines
{
    /// <summary>Seasonal naive: y[t − k·lag] with the smallest k whose day was known at the origin.</summary>
    public static float Naive(ReadOnlySpan<float> series, int t, int horizon, int lag)
    {
        int back = (horizon + lag - 1) / lag * lag;
        return series[t - back];
    }

    /// <summary>The mean of the last four known values of the same weekday (lag 7).</summary>
    public static float WeekdayMean(ReadOnlySpan<float> series, int t, int horizon)
    {
        int back = (horizon + 6) / 7 * 7;
        return (series[t - back] + series[t - back - 7] + series[t - back - 14] + series[t - back - 21]) / 4f;
    }
}

/// <summary>Forecast errors over many (forecast, actual) pairs: MAE, MAPE, and MASE against a scale.</summary>
public sealed class ForecastErrors
{
    private double _absolute, _relative;
    private int _count;

    public void Add(double forecast, double actual)
    {
        _absolute += Math.Abs(forecast - actual);
        _relative += Math.Abs(forecast - actual) / Math.Abs(actual);
        _count++;
    }

    public int Count => _count;
    public double Mae => _absolute / _count;
    /// <summary>Mean absolute percentage error, in percent.</summary>
    public double Mape => 100 * _relative / _count;
    /// <summary>MAE divided by <paramref name="scale"/>, the in-sample MAE of the lag-7 naive forecast on the training days.</summary>
    public double Mase(double scale) => Mae / scale;

    /// <summary>The in-sample one-step lag-<paramref name="lag"/> naive MAE over <paramref name="series"/> (the MASE scale).</summary>
    public static double NaiveScale(ReadOnlySpan<float> series, int lag)
    {
        double sum = 0;
        for (int t = lag; t < series.Length; t++) sum += Math.Abs(series[t] - series[t - lag]);
        return sum / (series.Length - lag);
    }
}
