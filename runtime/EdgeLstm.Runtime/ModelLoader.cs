using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Runtime;

/// <summary>
/// Loads a model of either format, told apart by its first bytes: .elstm (memory-mapped when read from a path,
/// so the weights are viewed in place and shared between processes) or float safetensors (read and copied).
/// Anything else is one error naming both formats. Dispose the model to release its file.
/// </summary>
public static class ModelLoader
{
    /// <summary>Bytes that tell the formats apart: the .elstm magic, or safetensors' 8-byte header length and its '{'.</summary>
    public const int PrefixLength = 9;

    /// <summary>A loaded model with what its file is: a one-line format summary, and the mapped file of an .elstm.</summary>
    public sealed record Opened(ILanguageModel Model, string Format, ModelFile? CompactFile);

    public static ILanguageModel Load(string path) => Open(path).Model;

    /// <summary>A model from bytes in memory (not copied: the caller must not change them while the model lives).</summary>
    public static ILanguageModel Load(byte[] bytes, string source) => Open(bytes, source).Model;

    /// <summary><see cref="Load(string)"/> with the file's format: the one place the two formats are told apart.</summary>
    public static Opened Open(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        byte[] prefix = ReadPrefix(path);
        if (ModelFileReader.HasMagic(prefix)) return Compact(ModelFileReader.Read(path));
        RequireSafeTensors(prefix, info.Name);
        return Float(SafeTensorsReader.Read(path));
    }

    /// <summary><see cref="Load(byte[], string)"/> with the format.</summary>
    public static Opened Open(byte[] bytes, string source)
    {
        if (ModelFileReader.HasMagic(bytes)) return Compact(ModelFileReader.Parse(bytes, source));
        RequireSafeTensors(bytes, source);
        return Float(SafeTensorsReader.Parse(bytes, source));
    }

    private static Opened Compact(ModelFile file)
    {
        CompactModelMetadata m = file.Metadata;
        string format = $"elstm {ModelFileLayout.MajorVersion}.{file.MinorVersion}, weights {m.Weights}{(m.WeightBits is { } bits ? $" ({bits}-bit)" : "")}, activations {m.Activations}, pruning {m.Pruning}";
        return new Opened(CompactModelLoader.Load(file), format, file);
    }

    private static Opened Float(SafeTensorsFile file) => new(FloatLstmModel.FromSafeTensors(file), "safetensors, float32", null);

    /// <summary>True when the file starts like an .elstm file (for verbs that take only the float format).</summary>
    public static bool IsCompactFile(string path) => ModelFileReader.HasMagic(ReadPrefix(path));

    /// <summary>The first <see cref="PrefixLength"/> bytes of a file (fewer if it is shorter).</summary>
    public static byte[] ReadPrefix(string path)
    {
        using var stream = File.OpenRead(path);
        var prefix = new byte[PrefixLength];
        return prefix[..stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false)];
    }

    /// <summary>Throws unless the bytes start like a safetensors file: an 8-byte header length, then the JSON header's '{'.</summary>
    private static void RequireSafeTensors(ReadOnlySpan<byte> start, string source)
    {
        if (start.Length >= PrefixLength && start[8] == (byte)'{') return;
        string seen = start.IsEmpty ? "the file is empty" : $"it starts with {Convert.ToHexString(start[..Math.Min(start.Length, 8)])}";
        throw new ModelFormatException($"{source}: not a model file: an .elstm file starts with \"EDGELSTM\" and a safetensors file with an 8-byte header length and '{{'; {seen}");
    }
}
