using BenchmarkDotNet.Attributes;

namespace EdgeLstm.Bench;

/// <summary>
/// One int8 matrix × vector per variant: [4H, in + H] for an LSTM layer with input 256 (W_ih and W_hh side by
/// side). GMAC/s = rows · cols / time. Run: edgelstm-bench kernels.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private ILstmKernels _kernels = null!;
    private Memory<sbyte> _w, _x;
    private int[] _y = [];
    private int[] _rowSums = [];

    [ParamsSource(nameof(Variants))]
    public string Variant { get; set; } = "";

    [Params(256, 512, 1024)]
    public int Hidden { get; set; }

    public static IEnumerable<string> Variants() => LstmKernels.AllSupported().Select(k => k.Name);

    [GlobalSetup]
    public void Setup()
    {
        _kernels = LstmKernels.Create(Variant);
        var random = new Random(1);
        int rows = 4 * Hidden, cols = 256 + Hidden;
        _w = AlignedBuffer.Create<sbyte>(rows * cols);
        _x = AlignedBuffer.Create<sbyte>(cols);
        _y = new int[rows];
        foreach (ref sbyte v in _w.Span) v = (sbyte)random.Next(-127, 128);
        foreach (ref sbyte v in _x.Span) v = (sbyte)random.Next(-127, 128);
        _rowSums = Int8Reference.RowSums(_w.Span, rows, cols);
    }

    [Benchmark]
    public void MatVec() => _kernels.MatVec(_w.Span, _rowSums, _x.Span, _y);
}
