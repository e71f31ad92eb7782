namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// Brown corpus tags → the 12 universal part-of-speech tags of Petrov, Das and McDonald 2012 (VERB, NOUN, PRON,
/// ADJ, ADV, ADP, CONJ, DET, NUM, PRT, X and "." for punctuation). Our own table, written from the Brown manual's
/// tag definitions into Petrov et al.'s categories; it maps the tags as `edgelstm-data brown` writes them (the
/// -tl, -hl and -nc suffixes removed): a foreign word (fw-…) is X, a contraction or compound (ppss+md, "I'll")
/// takes its first part's category, and the negation (*) and possessive ($) marks do not change the category
/// (md* "can't" is a VERB, pp$ "his" a PRON); a lone * ("not", "n't") is an ADV, as PTB's RB "not" maps.
/// </summary>
public static class BrownUniversalTags
{
    public static readonly string[] All = ["VERB", "NOUN", "PRON", "ADJ", "ADV", "ADP", "CONJ", "DET", "NUM", "PRT", "X", "."];

    private static readonly Dictionary<string, string> Base = Table(
        (".", ". , : ( ) -- '' `` '"),
        ("DET", "abl abn abx ap at dt dti dts dtx wdt ex"),
        ("VERB", "be bed bedz beg bem ben ber bez do dod doz hv hvd hvg hvn hvz md vb vbd vbg vbn vbz"),
        ("CONJ", "cc"),
        ("ADP", "cs in"),
        ("NUM", "cd"),
        ("ADJ", "jj jjr jjs jjt od"),
        ("NOUN", "nn nns np nps nr nrs pn"),
        ("PRON", "pp pp$ ppl ppls ppo pps ppss wp wpo wps"),
        ("ADV", "ql qlp rb rbr rbt rn wql wrb *"),
        ("PRT", "rp to"),
        ("X", "uh nil"));

    private static Dictionary<string, string> Table(params (string Universal, string Tags)[] rows)
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (universal, tags) in rows)
            foreach (string tag in tags.Split(' ')) table.Add(tag, universal);
        return table;
    }

    /// <summary>The universal tag of a Brown tag (lower case, as the corpus writes them), or null if the table does not know it — so upper-case tag sets (PTB's DT, NN) are not taken for Brown's.</summary>
    public static string? Map(string brownTag)
    {
        string tag = brownTag;
        if (tag.StartsWith("fw-", StringComparison.Ordinal)) return "X";
        int plus = tag.IndexOf('+');
        if (plus > 0) tag = tag[..plus];
        if (tag.Length > 1) tag = tag.TrimEnd('*', '$');
        return Base.GetValueOrDefault(tag);
    }
}
