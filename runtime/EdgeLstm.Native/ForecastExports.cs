using System.Globalization;
using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Native;

/// <summary>API version 3 of the C ABI: edgelstm_model_forecast, a forecaster's next days from a history buffer.</summary>
internal static unsafe class ForecastExports
{
    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_forecast")]
    public static int ModelForecast(nint model, byte* lastDate, float* history, nuint historyLength, float* forecast, nuint horizon) =>
        NativeErrors.Guard(() =>
        {
            var native = HandleTable.Get<NativeModel>(model, "model");
            var series = native.Model.Description.Input.Series
                ?? throw new NativeException(NativeStatus.Unsupported, $"a '{native.Model.Description.Task}' model does not forecast; edgelstm_model_run_tokens runs any model");
            if (lastDate == null) throw new NativeException(NativeStatus.InvalidArgument, "last_date is NULL");
            if (history == null) throw new NativeException(NativeStatus.InvalidArgument, "history is NULL");
            if (forecast == null) throw new NativeException(NativeStatus.InvalidArgument, "forecast is NULL");
            if (historyLength < (nuint)series.RequiredHistory || historyLength > int.MaxValue)
                throw new NativeException(NativeStatus.InvalidArgument, $"history_length {historyLength}: the model needs at least {series.RequiredHistory} days");
            if (horizon == 0 || horizon > 100_000) throw new NativeException(NativeStatus.InvalidArgument, $"horizon {horizon} must be in 1..100000");
            string text = Marshal.PtrToStringUTF8((nint)lastDate) ?? "";
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                throw new NativeException(NativeStatus.InvalidArgument, $"last_date '{text}' is not a date (yyyy-mm-dd)");
            using var forecaster = new Forecaster(native.Model);
            forecaster.Forecast(day, new ReadOnlySpan<float>(history, (int)historyLength), new Span<float>(forecast, (int)horizon));
            return NativeStatus.Ok;
        });
}
