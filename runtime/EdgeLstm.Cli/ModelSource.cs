using System.CommandLine;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Cli;

/// <summary>The `--model` option every verb shares; without it the default model embedded in this binary is used.</summary>
internal static class ModelSource
{
    public const string EmbeddedName = "moby-dick-char.safetensors";

    public static Option<FileInfo> CreateOption() => new("--model", "-m")
    {
        Description = $"Model file (safetensors). Default: the embedded {EmbeddedName}, trained on Moby Dick",
    };

    public static (FloatLstmModel Model, string Name, long Bytes) Load(FileInfo? file)
    {
        if (file is not null)
        {
            var parsed = SafeTensorsReader.Read(file.FullName);
            return (FloatLstmModel.FromSafeTensors(parsed), file.FullName, parsed.FileLength);
        }
        using var stream = typeof(ModelSource).Assembly.GetManifestResourceStream(EmbeddedName)
            ?? throw new FileNotFoundException($"this build of edgelstm has no embedded model; pass --model FILE");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        string name = $"embedded {EmbeddedName}";
        return (FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(bytes, name)), name, bytes.Length);
    }
}
