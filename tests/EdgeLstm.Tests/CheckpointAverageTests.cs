using EdgeLstm.Runtime.SafeTensors;
using EdgeLstm.Trainer;

namespace EdgeLstm.Tests;

public class CheckpointAverageTests
{
    private static string Model(TempDirectory dir, string name, string description, float[] a, float[] b, long[]? shapeA = null)
    {
        string path = dir.File(name);
        SafeTensorsWriter.Write(path,
            [new SafeTensorsWriter.Tensor("a", shapeA ?? [2, 2], a), new SafeTensorsWriter.Tensor("b", [1], b)],
            new Dictionary<string, string>
            {
                ["edgelstm.format_version"] = "1", ["edgelstm.model"] = description, ["edgelstm.trainer.valid_wer"] = "25.0",
            });
        return path;
    }

    [Fact]
    public void TheMeanOfEveryTensorIsWrittenWithTheDescriptionAndWithoutTheInputsScores()
    {
        using var dir = new TempDirectory();
        string x = Model(dir, "x.safetensors", "{\"d\":1}", [1, 2, 3, 4], [10]);
        string y = Model(dir, "y.safetensors", "{\"d\":1}", [3, 2, -3, 5], [20]);
        string z = Model(dir, "z.safetensors", "{\"d\":1}", [2, 2, 0, 0.5f], [0]);
        CheckpointAverage.Write([x, y, z], dir.File("mean.safetensors"), "edgelstm-train average x y z");

        SafeTensorsFile mean = SafeTensorsReader.Read(dir.File("mean.safetensors"));
        Assert.Equal([2f, 2f, 0f, 9.5f / 3], mean.ReadFloats(mean.Tensors["a"]));
        Assert.Equal([10f], mean.ReadFloats(mean.Tensors["b"]));
        Assert.Equal("{\"d\":1}", mean.Metadata["edgelstm.model"]);
        Assert.Equal("x.safetensors, y.safetensors, z.safetensors", mean.Metadata["edgelstm.trainer.averaged"]);
        Assert.False(mean.Metadata.ContainsKey("edgelstm.trainer.valid_wer"));
    }

    [Fact]
    public void ModelsThatDifferAreRefusedInOneLineNamingTheFile()
    {
        using var dir = new TempDirectory();
        string x = Model(dir, "x.safetensors", "{\"d\":1}", [1, 2, 3, 4], [10]);
        string other = Model(dir, "other.safetensors", "{\"d\":2}", [1, 2, 3, 4], [10]);
        string shape = Model(dir, "shape.safetensors", "{\"d\":1}", [1, 2, 3, 4], [10], shapeA: [4, 1]);
        string output = dir.File("mean.safetensors");

        var e = Assert.Throws<ArgumentException>(() => CheckpointAverage.Write([x, other], output, "c"));
        Assert.StartsWith("other.safetensors: metadata 'edgelstm.model' differs from x.safetensors's", e.Message);
        e = Assert.Throws<ArgumentException>(() => CheckpointAverage.Write([x, shape], output, "c"));
        Assert.Equal("shape.safetensors: tensor 'a' is [4, 1]; x.safetensors has [2, 2]", e.Message);
        Assert.Throws<ArgumentException>(() => CheckpointAverage.Write([x], output, "c"));
        Assert.False(File.Exists(output));
    }
}
