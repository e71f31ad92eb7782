using EdgeLstm.Data;

namespace EdgeLstm.Tests;

/// <summary>The GAN issue's data: five-character quatrains cut from Tang poems (edgelstm-data quatrains).</summary>
public sealed class QuatrainTests
{
    private const string Four = "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。";

    [Fact]
    public void EveryFourLinesOfAFiveCharacterPoemIsAQuatrain()
    {
        Assert.Equal([Four], Quatrains.Of(Four));
        Assert.True(Quatrains.IsWholeQuatrain(Four));
        // Eight lines: two quatrains in order; ten lines: the last two are left over.
        const string Other = "春眠不覺曉，處處聞啼鳥。夜來風雨聲，花落知多少。";
        Assert.Equal([Four, Other], Quatrains.Of(Four + Other));
        Assert.Equal([Four, Other], Quatrains.Of(Four + Other + "床前明月光，疑是地上霜。"));
        Assert.False(Quatrains.IsWholeQuatrain(Four + Other));
        // A character outside the BMP (CJK extension B) is one character of the five.
        Assert.Single(Quatrains.Of("𠀀日依山盡，黃河入海流。欲窮千里目，更上一層樓。"));
    }

    [Fact]
    public void PoemsWithAnyOtherLineGiveNone()
    {
        Assert.Empty(Quatrains.Of("床前明月光，疑是地上霜。"));                                   // two lines
        Assert.Empty(Quatrains.Of("朝辭白帝彩雲間，千里江陵一日還。兩岸猿聲啼不住，輕舟已過萬重山。")); // seven characters a line
        Assert.Empty(Quatrains.Of(Four.Replace("欲窮千里目", "欲窮千里")));                     // one line short
        Assert.Empty(Quatrains.Of(Four + "更上一層"));                                           // text after the last mark
        Assert.Empty(Quatrains.Of(Four.Replace("黃河", "ab")));                                 // not Han characters
    }
}
