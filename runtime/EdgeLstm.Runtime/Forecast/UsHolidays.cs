namespace EdgeLstm.Runtime.Forecast;

/// <summary>The US federal holidays, as their rules stood in each year.</summary>
public enum UsHoliday
{
    NewYear, MartinLutherKing, Presidents, Memorial, Independence, Labor, Columbus, Veterans, Thanksgiving, Christmas,
}

/// <summary>
/// US federal holiday dates computed from their rules, including the changes of the period: the Uniform Monday
/// Holiday Act (from 1971 Washington's Birthday, Memorial Day and Columbus Day move to Mondays, and Veterans Day to
/// the fourth Monday of October until it returns to November 11 in 1978) and Martin Luther King Jr. Day (from
/// 1986). A holiday on a Saturday is observed on the Friday before, on a Sunday the Monday after.
/// </summary>
public static class UsHolidays
{
    public const int Count = 10;

    /// <summary>The holiday's date in <paramref name="year"/>, or null if it was not a federal holiday then.</summary>
    public static DateOnly? Date(UsHoliday holiday, int year) => holiday switch
    {
        UsHoliday.NewYear => new DateOnly(year, 1, 1),
        UsHoliday.MartinLutherKing => year >= 1986 ? NthWeekday(year, 1, DayOfWeek.Monday, 3) : null,
        UsHoliday.Presidents => year >= 1971 ? NthWeekday(year, 2, DayOfWeek.Monday, 3) : new DateOnly(year, 2, 22),
        UsHoliday.Memorial => year >= 1971 ? LastWeekday(year, 5, DayOfWeek.Monday) : new DateOnly(year, 5, 30),
        UsHoliday.Independence => new DateOnly(year, 7, 4),
        UsHoliday.Labor => NthWeekday(year, 9, DayOfWeek.Monday, 1),
        UsHoliday.Columbus => year >= 1971 ? NthWeekday(year, 10, DayOfWeek.Monday, 2) : new DateOnly(year, 10, 12),
        UsHoliday.Veterans => year is >= 1971 and <= 1977 ? NthWeekday(year, 10, DayOfWeek.Monday, 4) : new DateOnly(year, 11, 11),
        UsHoliday.Thanksgiving => NthWeekday(year, 11, DayOfWeek.Thursday, 4),
        UsHoliday.Christmas => new DateOnly(year, 12, 25),
        _ => throw new ArgumentOutOfRangeException(nameof(holiday)),
    };

    /// <summary>The weekday the holiday was observed on: its date, moved off a weekend.</summary>
    public static DateOnly Observed(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Saturday => date.AddDays(-1),
        DayOfWeek.Sunday => date.AddDays(1),
        _ => date,
    };

    /// <summary>The holiday falling on <paramref name="date"/>, if any.</summary>
    public static UsHoliday? On(DateOnly date)
    {
        int flags = Flags(date) & HolidayMask;
        return flags == 0 ? null : (UsHoliday)(flags - 1);
    }

    /// <summary>True when <paramref name="date"/> is a weekday off in place of a holiday that fell on a weekend
    /// (New Year's Day on a Saturday is observed on December 31 of the year before).</summary>
    public static bool IsObservedInstead(DateOnly date) => (Flags(date) & ObservedFlag) != 0;

    private const int HolidayMask = 0xF, ObservedFlag = 0x10, FirstCachedYear = 1900, CachedYears = 300;
    // One table per year (bits 0-3: holiday + 1, bit 4: observed instead), built on first use: a forecast then
    // looks its days up instead of recomputing the rules (~0.5 µs a day). Two threads may build the same year at
    // once; both tables are equal and either reference may win.
    private static readonly byte[]?[] Years = new byte[CachedYears][];

    private static int Flags(DateOnly date)
    {
        int index = date.Year - FirstCachedYear;
        if ((uint)index >= CachedYears) return Compute(date);
        byte[] table = Years[index] ??= Build(date.Year);
        return table[date.DayOfYear - 1];
    }

    private static byte[] Build(int year)
    {
        var table = new byte[DateTime.IsLeapYear(year) ? 366 : 365];
        for (int d = 0; d < table.Length; d++) table[d] = (byte)Compute(new DateOnly(year, 1, 1).AddDays(d));
        return table;
    }

    private static int Compute(DateOnly date)
    {
        int flags = 0;
        for (int h = 0; h < Count; h++)
            if (Date((UsHoliday)h, date.Year) == date) flags = h + 1;
        for (int year = date.Year; year <= date.Year + 1; year++)
            for (int h = 0; h < Count; h++)
                if (Date((UsHoliday)h, year) is { } day && day != date && Observed(day) == date) flags |= ObservedFlag;
        return flags;
    }

    private static DateOnly NthWeekday(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        int offset = ((int)weekday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + 7 * (n - 1));
    }

    private static DateOnly LastWeekday(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(((int)last.DayOfWeek - (int)weekday + 7) % 7));
    }
}
