using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Sampling;

// usage: EdgeLstmExample <model.elstm> <prompt> <chars>: the prompt and its greedy continuation, as `edgelstm generate --temperature 0` prints them.
if (args.Length != 3 || !int.TryParse(args[2], out int chars))
{
    Console.Error.WriteLine("usage: EdgeLstmExample <model.elstm> <prompt> <chars>");
    return 2;
}
ILanguageModel model = CompactModelLoader.Load(args[0]);
ILanguageModelSession session = model.CreateSession();
Console.Write(args[1]);
foreach (string piece in TextGenerator.Generate(session, args[1], SamplingOptions.Greedy, chars))
    Console.Write(piece);
Console.WriteLine();
return 0;
