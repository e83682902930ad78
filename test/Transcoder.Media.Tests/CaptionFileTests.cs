using System.Text;
using Transcoder.Abstractions;
using Transcoder.Captions;

namespace Transcoder.Media.Tests;

public class CaptionFileTests
{
    [Fact]
    public void SubRip_WithAccents_BecomesWebVttCues_KeepingItalicsAndEscapingMarkup()
    {
        var srt = "\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\n<font color=\"red\">Café</font> & <i>déjà</i> vu\r\n\r\n2\r\n00:00:03,5 --> 00:00:04,000 X1:10\r\n{\\an8}top a<b\r\n";

        var cues = CaptionFile.Read(Encoding.UTF8.GetBytes(srt), "movie.fr.srt", CaptionFormat.SubRip);

        Assert.Equal(2, cues.Count);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.5), "Café &amp; <i>déjà</i> vu", 2), (cues[0].Start, cues[0].End, cues[0].Text, cues[0].Line));
        Assert.Equal((TimeSpan.FromSeconds(3.5), "top a&lt;b"), (cues[1].Start, cues[1].Text));
        var document = WebVtt.Document(cues);
        Assert.StartsWith("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nCafé", document, StringComparison.Ordinal);
        Assert.Equal(2, CaptionFile.Read(Encoding.UTF8.GetBytes(document), "again.vtt", CaptionFormat.WebVtt).Count);
    }

    [Theory]
    [InlineData("1\n00:00:01,000 -> 00:00:02,000\nArrow too short\n", 2, "timing")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:05,000 --> 00:00:04,000\nBackwards\n", 6, "ends")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nFine\n\nnot a number\nnot a timing\n", 5, "timing")]
    public void SubRip_Broken_NamesTheFileAndTheLine(string srt, int line, string problem)
    {
        var ex = Assert.Throws<CaptionException>(() => CaptionFile.Read(Encoding.UTF8.GetBytes(srt), "broken.en.srt", CaptionFormat.SubRip));

        Assert.Equal(("broken.en.srt", line), (ex.FileName, ex.LineNumber));
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"broken.en.srt, line {line}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latin1Text_IsRefusedWithoutACharset_AndConvertedWithOne()
    {
        var bytes = Encoding.Latin1.GetBytes("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:03,000 --> 00:00:04,000\nCaf\u00e9\n");

        var refused = Assert.Throws<CaptionException>(() => CaptionFile.Read(bytes, "old.fr.srt", CaptionFormat.SubRip));
        Assert.Equal(7, refused.LineNumber);
        Assert.Contains("UTF-8", refused.Problem, StringComparison.Ordinal);

        var cues = CaptionFile.Read(bytes, "old.fr.srt", CaptionFormat.SubRip, "windows-1252");
        Assert.Equal("Café", cues[1].Text);
        Assert.Throws<CaptionException>(() => CaptionFile.Read(bytes, "old.fr.srt", CaptionFormat.SubRip, "no-such-charset"));
    }

    [Fact]
    public void WebVtt_NeedsItsSignature_AndSkipsNotesAndStyles()
    {
        Assert.Equal(1, Assert.Throws<CaptionException>(() => CaptionFile.Read("00:01.000 --> 00:02.000\nx\n"u8, "no-header.vtt", CaptionFormat.WebVtt)).LineNumber);

        var cues = CaptionFile.Read(
            "WEBVTT - a title\nKind: captions\n\nNOTE a note\nspanning lines\n\nSTYLE\n::cue { color: red }\n\nid-1\n00:01.000 --> 00:02.000 line:0 align:start\n<v Anna>Hi</v>\n"u8,
            "ok.vtt", CaptionFormat.WebVtt);

        var cue = Assert.Single(cues);
        Assert.Equal(("<v Anna>Hi</v>", "line:0 align:start", 11), (cue.Text, cue.Settings, cue.Line));
    }

    [Fact]
    public void TooLarge_IsRefusedBeforeItIsRead()
    {
        var ex = Assert.Throws<CaptionException>(() => CaptionFile.Read(new byte[CaptionFile.MaxBytes + 1], "huge.srt", CaptionFormat.SubRip));
        Assert.Equal(0, ex.LineNumber);
    }

    [Fact]
    public void Segment_HasTheTimestampMap_AndEveryCueShowingInIt_EvenAcrossItsEdges()
    {
        Cue[] cues =
        [
            new(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5), "first", 1),
            new(TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(2.4), "across", 5),
            new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.5), "later", 9),
        ];

        var first = WebVtt.Segment(cues, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        var second = WebVtt.Segment(cues, TimeSpan.FromSeconds(2), null);

        Assert.StartsWith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n", first, StringComparison.Ordinal);
        Assert.Contains("first", first, StringComparison.Ordinal);
        Assert.Contains("across", first, StringComparison.Ordinal);
        Assert.DoesNotContain("later", first, StringComparison.Ordinal);
        Assert.Contains("00:00:01.800 --> 00:00:02.400\nacross", second, StringComparison.Ordinal);
        Assert.Contains("later", second, StringComparison.Ordinal);
        Assert.DoesNotContain("first", second, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eng", "en")]
    [InlineData("fre", "fr")]
    [InlineData("fra", "fr")]
    [InlineData("ger", "de")]
    [InlineData("pt-br", "pt-BR")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("yue", "yue")]
    [InlineData("es-419", "es-419")]
    [InlineData(null, "und")]
    [InlineData("english", "und")]
    [InlineData("en_US", "und")]
    public void Languages_AreNormalisedToTheShortestTag(string? tag, string expected) =>
        Assert.Equal(expected, Languages.Normalize(tag));

    [Fact]
    public void Languages_MatchByPrefix_AndHaveNames()
    {
        Assert.True(Languages.Matches("pt-BR", "pt"));
        Assert.True(Languages.Matches("eng", "en"));
        Assert.False(Languages.Matches("en", "en-GB"));
        Assert.Equal(("French", "Portuguese (BR)", "Unknown language"), (Languages.DisplayName("fre"), Languages.DisplayName("pt-BR"), Languages.DisplayName("und")));
    }
}
