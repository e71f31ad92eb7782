namespace EdgeLstm.Tests;

/// <summary>
/// The trainer's character BiLSTM per word (input.characters, `tag --format conll --char-encoder`), measured against
/// the hashed affixes: each word's features do not depend on the words it is batched with, the characters are read,
/// and the runtimes refuse such a file by name instead of running it without its character states.
/// </summary>
public sealed class CharacterWordEncoderTests
{
    private static (ClassifierNetwork Network, WordTokenizer Tokenizer, CharTokenizer Characters) RandomTagger(int seed)
    {
        var tokenizer = WordTokenizer.Build(["the cat sat on the mat", "a dog ran in the park"], 100, 1, lowercase: true, whitespace: true);
        var characters = CharTokenizer.FromText("the cat sat on the mat a dog ran in the park", 1);
        var chars = new CharacterEncoderDescription { Vocabulary = characters.ToDescription().Vocabulary, Size = 5, Hidden = 7 };
        var description = ClassifierNetwork.Describe(tokenizer, 8, 12, 1, true, Poolings.None, ["DT", "NN", "VB"], characters: chars);
        Assert.Equal(8 + 14, description.LayerInputWidth(0));
        return (TorchFixture.RandomNetwork<ClassifierNetwork>(description, seed), tokenizer, characters);
    }

    private static float[] Outputs(ClassifierNetwork network, WordTokenizer tokenizer, CharTokenizer characters, string[] texts, int row)
    {
        int[][] ids = Array.ConvertAll(texts, tokenizer.Encode);
        int[][][] chars = Array.ConvertAll(texts, t => CharacterWordEncoder.Ids(characters, tokenizer.Surface(t)));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int[] all = Enumerable.Range(0, texts.Length).ToArray();
        var (tokens, lengths) = ClassifierTrainer.Batch(ids, all);
        var steps = network.ForwardSteps(tokens, lengths, chars: ClassifierTrainer.CharBatch(chars, all, (int)tokens.shape[1]));
        return steps[row, ..ids[row].Length].contiguous().data<float>().ToArray();
    }

    [Fact]
    public void EachWordIsReadByItsOwnCharactersWhateverItIsBatchedWith()
    {
        var (network, tokenizer, characters) = RandomTagger(seed: 5);
        network.eval();
        string[] alone = ["a cat sat"];
        // Batched with a longer sentence of longer words: padded words and padded characters must not reach the LSTMs
        // (the backward character LSTM starts at each word's own last character).
        float[] expected = Outputs(network, tokenizer, characters, alone, 0);
        float[] batched = Outputs(network, tokenizer, characters, ["the extraordinarily long-winded parkkeeper ran on and on", "a cat sat"], 1);
        Assert.Equal(expected.Length, batched.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - batched[i]) <= 1e-5f, $"output {i}: {expected[i]} alone, {batched[i]} batched");

        // The characters are read: an unknown word's spelling changes its outputs, though its token id (<unk>) is the same.
        Assert.Equal(tokenizer.Encode("a zat sat"), tokenizer.Encode("a zot sat"));
        Assert.False(Outputs(network, tokenizer, characters, ["a zat sat"], 0).AsSpan().SequenceEqual(Outputs(network, tokenizer, characters, ["a zot sat"], 0)));
        // A character outside the vocabulary reads as id 0.
        Assert.Equal([characters.Encode("a")[0], CharTokenizer.UnknownId], CharacterWordEncoder.Ids(characters, ["aé"])[0]);
    }

    [Fact]
    public void TheRuntimesRefuseACharacterEncoderModelByName()
    {
        var (network, _, _) = RandomTagger(seed: 6);
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "chars.safetensors");
        TaskNetworks.Save(path, network);
        var error = Assert.Throws<ModelFormatException>(() => FloatLstmModel.Load(path));
        Assert.Contains("input.characters", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        // The file holds the character LSTM under PyTorch's names (chars.lstm.*, chars.embedding.weight), as ModelTensors lists them.
        var names = SafeTensorsReader.Read(path).Tensors.Keys.ToHashSet();
        Assert.Subset(names, ModelTensors.Of(network.Description, fusedBiases: false).Select(t => t.Name).ToHashSet());
        Assert.Contains("chars.lstm.weight_hh_l0_reverse", names);
    }
}
