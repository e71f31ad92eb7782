namespace EdgeLstm.Runtime.Forecast;

/// <summary>
/// The feature recipe of a daily forecaster's step (<see cref="SeriesDescription"/>): the scaled value of the day
/// before, the weekday (one-hot), the position in the year (two sine/cosine harmonics), which US federal holiday
/// the day is, whether it is a weekday off in place of a weekend holiday, the eve and the day after a holiday, and
/// the days between Christmas Eve and New Year's Day. Trainer and runtime both build rows with <see cref="Fill"/>.
/// </summary>
public static class CalendarFeatures
{
    public const string Recipe = "us-daily-calendar-1";

    public static readonly string[] Names =
    [
        "value_prev",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "year_sin1", "year_cos1", "year_sin2", "year_cos2",
        "new_year", "martin_luther_king", "presidents", "memorial", "independence", "labor", "columbus", "veterans", "thanksgiving", "christmas",
        "holiday_observed", "holiday_eve", "holiday_after", "year_end",
    ];

    public static int Size => Names.Length;
    private const int Weekday = 1, Year = 8, Holiday = 12, Observed = 22, Eve = 23, After = 24, YearEnd = 25;

    /// <summary>Writes the row of day <paramref name="day"/>: <paramref name="scaledPreviousValue"/> first, then its calendar.</summary>
    public static void Fill(DateOnly day, float scaledPreviousValue, Span<float> row)
    {
        if (row.Length != Size) throw new ArgumentException($"a row holds {Size} features, got {row.Length}", nameof(row));
        row.Clear();
        row[0] = scaledPreviousValue;
        row[Weekday + ((int)day.DayOfWeek + 6) % 7] = 1; // Monday first
        double angle = 2 * Math.PI * (day.DayOfYear - 1) / (DateTime.IsLeapYear(day.Year) ? 366.0 : 365.0);
        row[Year] = (float)Math.Sin(angle);
        row[Year + 1] = (float)Math.Cos(angle);
        row[Year + 2] = (float)Math.Sin(2 * angle);
        row[Year + 3] = (float)Math.Cos(2 * angle);
        if (UsHolidays.On(day) is { } holiday) row[Holiday + (int)holiday] = 1;
        if (UsHolidays.IsObservedInstead(day)) row[Observed] = 1;
        if (UsHolidays.On(day.AddDays(1)) is not null) row[Eve] = 1;
        if (UsHolidays.On(day.AddDays(-1)) is not null) row[After] = 1;
        if ((day.Month == 12 && day.Day >= 24) || (day.Month == 1 && day.Day == 1)) row[YearEnd] = 1;
    }
}
