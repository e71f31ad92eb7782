namespace EdgeLstm.Runtime.Forecast;

/// <summary>
/// Forecasts a daily series with a forecaster model (float or int8): builds the input rows from the history by the
/// model's recipe (<see cref="SeriesDescription"/>), runs the model, and returns the days after the history in the
/// series' own units. Recursive models are stepped (each forecast fed back as the next day's value); direct models
/// run the history once. Buffers are allocated once: a forecast allocates nothing. Not thread-safe.
/// </summary>
public sealed class Forecaster : IDisposable
{
    private readonly SeriesDescription _series;
    private readonly ILanguageModelSession? _session;
    private readonly ISequenceRunner? _runner;
    private readonly float[] _rows;

    /// <param name="createSession">How a recursive model's session is made (e.g. an int8 session on two cores); default <see cref="ILanguageModel.CreateSession"/>.</param>
    public Forecaster(ILanguageModel model, Func<ILanguageModel, ILanguageModelSession>? createSession = null)
    {
        _series = model.Description.Input.Series
            ?? throw new ArgumentException($"a '{model.Description.Task}' model does not forecast a series");
        _rows = new float[_series.History * CalendarFeatures.Size];
        if (_series.Strategy == ForecastStrategies.Recursive) _session = createSession is null ? model.CreateSession() : createSession(model);
        else _runner = model.CreateRunner();
    }

    public SeriesDescription Series => _series;

    /// <summary>
    /// Writes the forecasts of the <paramref name="forecast"/>.Length days after <paramref name="lastDay"/>.
    /// <paramref name="history"/> holds consecutive days ending at <paramref name="lastDay"/>, at least
    /// <see cref="SeriesDescription.RequiredHistory"/> of them (only the last are read).
    /// </summary>
    public void Forecast(DateOnly lastDay, ReadOnlySpan<float> history, Span<float> forecast)
    {
        if (forecast.IsEmpty) return;
        if (_runner is not null && forecast.Length > _series.Horizon)
            throw new ArgumentException($"this direct forecaster predicts at most {_series.Horizon} days; asked for {forecast.Length}", nameof(forecast));
        float level = Level(_series, history);
        BuildInputs(_series, lastDay, history, level, _rows);
        if (_runner is not null)
        {
            ReadOnlySpan<float> outputs = _runner.RunVectors(_rows);
            for (int h = 0; h < forecast.Length; h++) forecast[h] = Unscale(_series, outputs[h], level);
            return;
        }
        var session = _session!;
        session.Reset();
        int size = CalendarFeatures.Size;
        for (int step = 0; step < _series.History; step++) session.StepInput(_rows.AsSpan(step * size, size));
        forecast[0] = Unscale(_series, session.Logits[0], level);
        Span<float> row = _rows.AsSpan(0, size); // the history rows are used up: reuse the first as the feedback row
        for (int h = 1; h < forecast.Length; h++)
        {
            CalendarFeatures.Fill(lastDay.AddDays(h + 1), session.Logits[0], row);
            forecast[h] = Unscale(_series, session.StepInput(row)[0], level);
        }
    }

    /// <summary>The level the values are scaled by: the mean of the last <c>level_window</c> days of history.</summary>
    public static float Level(SeriesDescription series, ReadOnlySpan<float> history)
    {
        if (history.Length < series.RequiredHistory)
            throw new ArgumentException($"the model needs at least {series.RequiredHistory} days of history; got {history.Length}", nameof(history));
        double sum = 0;
        foreach (float v in history[^series.LevelWindow..])
        {
            if (!float.IsFinite(v)) throw new ArgumentException("the history holds a value that is not a finite number", nameof(history));
            sum += v;
        }
        float level = (float)(sum / series.LevelWindow);
        if (!(level > 0)) throw new ArgumentException($"the mean of the last {series.LevelWindow} days is {level}; the model scales by it and needs it positive", nameof(history));
        return level;
    }

    public static float Scale(SeriesDescription series, float value, float level) => (value / level - series.ValueMean) / series.ValueStd;

    public static float Unscale(SeriesDescription series, float output, float level) => level * (output * series.ValueStd + series.ValueMean);

    /// <summary>
    /// The model's input for a forecast after <paramref name="lastDay"/>: <c>history</c> rows for the days up to and
    /// including the first unknown day, each the day before's scaled value and the day's calendar (trainer and
    /// runtime both build rows here).
    /// </summary>
    public static void BuildInputs(SeriesDescription series, DateOnly lastDay, ReadOnlySpan<float> history, float level, Span<float> rows)
    {
        int size = CalendarFeatures.Size, steps = series.History;
        if (rows.Length != steps * size) throw new ArgumentException($"rows must hold {steps} × {size} floats", nameof(rows));
        for (int step = 0; step < steps; step++)
        {
            // Step `step` is day lastDay + 1 − (steps − 1 − step); it reads the value of the day before it.
            int back = steps - 1 - step;
            float previous = history[history.Length - 1 - back];
            CalendarFeatures.Fill(lastDay.AddDays(1 - back), Scale(series, previous, level), rows.Slice(step * size, size));
        }
    }

    public void Dispose()
    {
        _session?.Dispose();
        _runner?.Dispose();
    }
}
