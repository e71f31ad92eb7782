namespace EdgeLstm.Runtime;

/// <summary>
/// input.characters (a character BiLSTM per word) is trained by edgelstm-train to be measured against input.affixes;
/// the runtimes do not run it, so its files are refused by name instead of read with the character states missing.
/// </summary>
public static class CharacterEncoders
{
    public static void ThrowIfPresent(ModelDescription description, string source)
    {
        if (description.Input.Characters is not null)
            throw new ModelFormatException($"{source}: model description: input.characters (a character BiLSTM per word) is a trainer-side comparison with input.affixes; this runtime does not run it");
    }
}
