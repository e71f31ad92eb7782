using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Sampling;

// usage: EdgeLstmExample <model.elstm> <prompt> <chars>: the prompt and its greedy continuation, as `edgelstm generate --temperature 0` prints them.
if (args.Length != 3 || !int.TryParse(args[2], out int chars))
{
    Console.Error.WriteLine("usage: EdgeLstmExample <model.elstm> <prompt> <chars>");
    return 2;
}
using ILanguageModel model = ModelLoader.Load(args[0]);
using ILanguageModelSession session = model.CreateSession();
Console.Write(args[1]);
foreach (string piece in TextGenerator.Generate(session, args[1], SamplingOptions.Greedy, chars))
    Console.Write(piece);
Console.WriteLine();
return 0;
