using System.Buffers.Binary;
using System.Text;

namespace EdgeLstm.Tests;

public sealed class SafeTensorsReaderTests
{
    private static byte[] TwoTensors() => SafeTensorsWriter.Serialize(
        [new("a", [2, 3], [1, 2, 3, 4, 5, 6]), new("b", [4], [7, 8, 9, 10])],
        new Dictionary<string, string> { ["k"] = "v" });

    /// <summary>A file with the given JSON header and data bytes, as any safetensors writer would lay it out.</summary>
    private static byte[] Raw(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void RoundTripsTensorsAndMetadata()
    {
        var file = SafeTensorsReader.Parse(TwoTensors(), "t.safetensors");
        Assert.Equal("v", file.Metadata["k"]);
        Assert.Equal([2L, 3L], file.Tensors["a"].Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], file.ReadFloats(file.Tensors["a"]));
        Assert.Equal([7f, 8, 9, 10], file.ReadFloats(file.Tensors["b"]));
    }

    [Fact]
    public void ReadsHalfPrecisionAndAnyKeyOrderAsPyTorchMayWrite()
    {
        // Tensors listed before __metadata__, F16 and BF16 data, no padding: all legal safetensors.
        byte[] bytes = Raw("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]},\"__metadata__\":{}}", 6);
        int data = bytes.Length - 6;
        BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(data), (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(data + 2), (Half)(-2f));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(data + 4), (ushort)(BitConverter.SingleToInt32Bits(3.25f) >> 16));
        var file = SafeTensorsReader.Parse(bytes, "p.safetensors");
        Assert.Equal([1.5f, -2f], file.ReadFloats(file.Tensors["h"]));
        Assert.Equal([3.25f], file.ReadFloats(file.Tensors["b"]));
    }

    [Theory]
    [InlineData(3, "too short")]
    [InlineData(40, "exceeds")]          // cut inside the header
    [InlineData(-4, "outside the")]      // cut inside the data section
    public void RejectsTruncatedFiles(int keep, string expected)
    {
        byte[] full = TwoTensors();
        byte[] cut = full[..(keep > 0 ? keep : full.Length + keep)];
        var error = Assert.Throws<ModelFormatException>(() => SafeTensorsReader.Parse(cut, "t.safetensors"));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("t.safetensors: ", error.Message);
    }

    [Fact]
    public void RejectsAnOversizedHeaderLength()
    {
        byte[] bytes = TwoTensors();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Assert.Contains("header length", Assert.Throws<ModelFormatException>(() => SafeTensorsReader.Parse(bytes, "t")).Message);
    }

    [Fact]
    public void RejectsGarbage()
    {
        var random = new Random(1);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (bytes.Length >= 8 && i % 2 == 0) BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(bytes.Length - 8)); // plausible length, junk JSON
            Assert.Throws<ModelFormatException>(() => SafeTensorsReader.Parse(bytes, "g"));
        }
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"Q9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8, "needs more bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "outside the")]
    [InlineData("{\"a\":[1,2]}", 0, "must be an object")]
    [InlineData("[1,2]", 0, "JSON object")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", 0, "must be a string")]
    public void RejectsInconsistentHeaders(string header, int dataBytes, string expected)
    {
        var error = Assert.Throws<ModelFormatException>(() => SafeTensorsReader.Parse(Raw(header, dataBytes), "h.safetensors"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ModelLoaderRejectsWronglyShapedLstmTensors()
    {
        var vocab = CharTokenizer.FromText("ab").ToJson();
        var tensors = new List<SafeTensorsWriter.Tensor>
        {
            new(ModelTensors.EmbeddingWeight, [3, 2], new float[6]),
            new(ModelTensors.WeightIh(0), [16, 2], new float[32]),
            new(ModelTensors.WeightHh(0), [16, 3], new float[48]), // hidden is 4, so [16, 4] was expected
            new(ModelTensors.BiasIh(0), [16], new float[16]),
            new(ModelTensors.BiasHh(0), [16], new float[16]),
            new(ModelTensors.HeadWeight, [3, 4], new float[12]),
            new(ModelTensors.HeadBias, [3], new float[3]),
        };
        byte[] bytes = SafeTensorsWriter.Serialize(tensors, new Dictionary<string, string> { [ModelMetadataKeys.Vocabulary] = vocab });
        var error = Assert.Throws<ModelFormatException>(() => FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(bytes, "m.safetensors")));
        Assert.Equal("m.safetensors: tensor 'lstm.weight_hh_l0' has shape [16, 3]; expected [16, 4]", error.Message);

        byte[] noVocab = SafeTensorsWriter.Serialize(tensors, new Dictionary<string, string>());
        Assert.Contains("'edgelstm.vocab' (the vocabulary) is missing",
            Assert.Throws<ModelFormatException>(() => FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(noVocab, "m"))).Message);
    }
}
