using System.Globalization;

namespace EdgeLstm.Runtime.Forecast;

/// <summary>The per-horizon error table that eval, convert, the trainer and edgelstm-data print (Markdown, so docs can quote it).</summary>
public static class ForecastTable
{
    public static string Format(IReadOnlyList<HorizonErrors> errors, double maseScale, string modelName = "model")
    {
        var text = new StringBuilder("| forecaster | horizon | MAE | MAPE % | MASE |\n|---|---:|---:|---:|---:|\n");
        void Row(string name, int horizon, ForecastErrors e) =>
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {horizon} | {e.Mae:F1} | {e.Mape:F2} | {e.Mase(maseScale):F3} |\n");
        foreach (var r in errors)
        {
            if (r.Model is not null) Row(modelName, r.Horizon, r.Model);
            Row("seasonal naive lag 7", r.Horizon, r.Naive7);
            Row("seasonal naive lag 364", r.Horizon, r.Naive364);
            Row("weekday mean, last 4 weeks", r.Horizon, r.WeekdayMean);
        }
        return text.ToString();
    }

    /// <summary>One line per horizon: the model's MAE against the best baseline's, and the reduction.</summary>
    public static string Summary(IReadOnlyList<HorizonErrors> errors) => string.Join("; ", errors.Where(r => r.Model is not null).Select(r =>
        string.Create(CultureInfo.InvariantCulture, $"h{r.Horizon} MAE {r.Model!.Mae:F1} vs best baseline {r.BestBaselineMae:F1} ({100 * (1 - r.Model.Mae / r.BestBaselineMae):F1}% lower)")));
}
