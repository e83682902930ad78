using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>Every track a title carries, through the real stack: options and caption files in, renditions out.</summary>
public sealed class TrackE2ETests : IDisposable
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";
    private readonly ApiClient _api = new($"tracks-{Guid.NewGuid():N}"[..20]);
    private readonly HttpClient _cdn = new();
    private readonly string _folder = TestStack.NewScratchFolder("tracks");

    [Fact]
    public async Task MultipartWithOptionsAndCaptionFiles_CarriesEveryTrack()
    {
        var clip = await TrackClips.MultiTrackAsync(_folder);
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(File.OpenRead(clip)), "file", "multi-track.mkv" },
            { new StringContent("""{"audio":{"surround":true,"loudness":{"targetLufs":-16,"truePeakDb":-1.5}}}"""), "options" },
            { Caption("1\n00:00:03,000 --> 00:00:04,000\nÀ bientôt, señor\n"), "captions", "movie.es.srt" },
        };

        using var response = await _api.Http.PostAsync("/v1/jobs", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var job = await _api.WaitForEndAsync(id);

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var renditions = job["renditions"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var audio = renditions.Where(r => Kind(r) == "audio").ToList();
        Assert.Equal(["English", "French", "Audio", "Surround", "Surround 5.1"], audio.Select(a => a["name"]!.GetValue<string>()));
        Assert.Equal(["en", "fr", "und", "en", "en"], audio.Select(a => a["language"]!.GetValue<string>()));
        Assert.All(audio, a =>
        {
            Assert.Equal("mp4a.40.2", a["codec"]!.GetValue<string>());
            Assert.Equal(a["playlistUrl"]!.GetValue<string>(), a["url"]!.GetValue<string>());
            Assert.InRange(a["loudness"]!["outputLufs"]!.GetValue<double>(), -17, -15);
            Assert.True(a["loudness"]!["outputTruePeakDb"]!.GetValue<double>() <= -1, a.ToJsonString());
        });

        var text = renditions.Where(r => Kind(r) == "text").ToList();
        Assert.Equal([("en", "English", false), ("fr", "French (forced)", true), ("es", "Spanish", false)],
            text.Select(t => (t["language"]!.GetValue<string>(), t["name"]!.GetValue<string>(), t["forced"]!.GetValue<bool>())));
        var spanish = await _cdn.GetStringAsync(text[2]["fileUrl"]!.GetValue<string>());
        Assert.Contains("00:00:03.000 --> 00:00:04.000\nÀ bientôt, señor", spanish, StringComparison.Ordinal);
        var skipped = Assert.Single(job["skipped"]!.AsArray());
        Assert.Equal(("text", "hdmv_pgs_subtitle", "image_subtitles"), (skipped!["kind"]!.GetValue<string>(), skipped["codec"]!.GetValue<string>(), skipped["reason"]!.GetValue<string>()));
        Assert.False(job["toneMapped"]!.GetValue<bool>());
        Assert.Empty(job["warnings"]!.AsArray());

        var master = await _cdn.GetStringAsync(job["hlsUrl"]!.GetValue<string>());
        Assert.Equal(3, master.Split('\n').Count(l => l.StartsWith("#EXT-X-MEDIA:TYPE=SUBTITLES,", StringComparison.Ordinal)));
        foreach (var track in text)
        {
            var playlist = await _cdn.GetStringAsync(track["playlistUrl"]!.GetValue<string>());
            Assert.Contains("#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);
            var first = playlist.Split('\n').First(l => l.EndsWith(".vtt", StringComparison.Ordinal));
            using var segment = await _cdn.GetAsync(new Uri(new Uri(track["playlistUrl"]!.GetValue<string>()), first));
            Assert.Equal("text/vtt", segment.Content.Headers.ContentType?.MediaType);
        }

        var mpd = XDocument.Parse(await _cdn.GetStringAsync(job["dashUrl"]!.GetValue<string>()));
        Assert.Equal(5, mpd.Descendants(Mpd + "AdaptationSet").Count(s => (string?)s.Attribute("contentType") == "audio"));
        Assert.Equal(["en", "fr", "es"], mpd.Descendants(Mpd + "AdaptationSet").Where(s => (string?)s.Attribute("contentType") == "text").Select(s => (string?)s.Attribute("lang")));

        // The list (read from the jobs row) says the same.
        var listed = (await _api.Http.GetFromJsonAsync<JsonObject>("/v1/jobs"))!["items"]!.AsArray().Single(j => j!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(renditions.Count, listed["renditions"]!.AsArray().Count);
        Assert.Single(listed["skipped"]!.AsArray());
    }

    [Fact]
    public async Task CaptionUrlInAJsonBody_IsFetchedAndCarried()
    {
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 4);
        var input = await PutAsync(await File.ReadAllBytesAsync(clip), "mp4");
        var captions = await PutAsync(Encoding.UTF8.GetBytes("WEBVTT\n\n00:01.000 --> 00:02.000\nGuten Tag\n"), "vtt");

        using var response = await _api.Http.PostAsJsonAsync("/v1/jobs", new
        {
            inputUrl = input,
            captions = new[] { new { url = captions, language = "de", name = "Deutsch", forced = false } },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await _api.WaitForEndAsync((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var text = Assert.Single(job["renditions"]!.AsArray(), r => Kind(r!.AsObject()) == "text")!;
        Assert.Equal(("de", "Deutsch", "wvtt"), (text["language"]!.GetValue<string>(), text["name"]!.GetValue<string>(), text["codec"]!.GetValue<string>()));
    }

    /// <summary>A caption URL goes through the input's guard: a metadata address is refused before any connection is made.</summary>
    [Fact]
    public async Task CaptionUrlOfAPrivateAddress_FailsTheJobAsRefused()
    {
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 2);
        var input = await PutAsync(await File.ReadAllBytesAsync(clip), "mp4");

        using var response = await _api.Http.PostAsJsonAsync("/v1/jobs", new
        {
            inputUrl = input,
            captions = new[] { new { url = "http://169.254.169.254/latest/meta-data/captions.srt", language = "en" } },
        });
        var job = await _api.WaitForEndAsync((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("input_refused", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal(1, job["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task CaptionCuePastTheEnd_FailsTheJobNamingTheFileAndLine()
    {
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 2);
        var input = await PutAsync(await File.ReadAllBytesAsync(clip), "mp4");
        var captions = await PutAsync(Encoding.UTF8.GetBytes("1\n00:00:01,000 --> 00:00:01,500\nIn time\n\n2\n00:00:30,000 --> 00:00:31,000\nToo late\n"), "srt");

        using var response = await _api.Http.PostAsJsonAsync("/v1/jobs", new { inputUrl = input, captions = new[] { new { url = captions, language = "en" } } });
        var job = await _api.WaitForEndAsync((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("caption_invalid", job["error"]!["code"]!.GetValue<string>());
        Assert.Contains("line 6", job["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, job["attempts"]!.GetValue<int>());
    }

    /// <summary>The test stack normalises the jobs of tenant test-loudness to -23 LUFS unless they ask otherwise (infra/local/test.sh).</summary>
    [Fact]
    public async Task TenantDefaultLoudness_AppliesWhenTheJobAsksForNone()
    {
        using var tenant = new ApiClient("test-loudness");
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 4);

        var job = await tenant.WaitForEndAsync((await tenant.UploadAsync(clip))["id"]!.GetValue<string>());

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        var audio = Assert.Single(job["renditions"]!.AsArray(), r => Kind(r!.AsObject()) == "audio")!;
        Assert.InRange(audio["loudness"]!["outputLufs"]!.GetValue<double>(), -24, -22);
    }

    [Fact]
    public async Task LanguageTheSourceLacks_FailsTheJobWithItsCode()
    {
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 2);
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(File.OpenRead(clip)), "file", "clip.mp4" },
            { new StringContent("""{"audio":{"languages":["ja"]}}"""), "options" },
        };

        using var response = await _api.Http.PostAsync("/v1/jobs", form);
        var job = await _api.WaitForEndAsync((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("audio_language_not_found", job["error"]!["code"]!.GetValue<string>());
        Assert.Equal(1, job["attempts"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("movie.en.srt", "1\n00:00:01,000 -> 00:00:02,000\nBroken arrow\n", "movie.en.srt, line 2")]
    [InlineData("movie.en.srt", "1\n00:00:05,000 --> 00:00:04,000\nBackwards\n", "movie.en.srt, line 2")]
    [InlineData("movie.english.srt", "1\n00:00:01,000 --> 00:00:02,000\nFine\n", "movie.english.srt")]
    [InlineData("movie.en.txt", "1\n00:00:01,000 --> 00:00:02,000\nFine\n", "movie.en.txt")]
    [InlineData("movie.fr.vtt", "00:01.000 --> 00:02.000\nNo header\n", "movie.fr.vtt, line 1")]
    public async Task BadCaptionPart_Is400NamingTheFileAndLine_AndNothingIsStored(string name, string content, string expected)
    {
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 2);
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(File.OpenRead(clip)), "file", "clip.mp4" },
            { Caption(content), "captions", name },
        };

        using var response = await _api.Http.PostAsync("/v1/jobs", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiClient.ReadProblemAsync(response);
        Assert.Contains(expected, problem["errors"]!["captions"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await Leftovers.ObjectsAsync(_api.Tenant));
    }

    [Theory]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","audio":{"languages":["english"]}}""", "audio.languages[0]")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","audio":{"loudness":{"targetLufs":-3}}}""", "audio.loudness.targetLufs")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","audio":{"loudness":{"targetLufs":-16,"truePeakDb":2}}}""", "audio.loudness.truePeakDb")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","audio":{"loudness":{}}}""", "audio.loudness.targetLufs")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","captions":[{"url":"https://example.com/a.srt","language":"xx_YY"}]}""", "captions[0].language")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","captions":[{"url":"ftp://example.com/a.srt","language":"fr"}]}""", "captions[0].url")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","audio":{"langauges":["fr"]}}""", "langauges")]
    [InlineData("""{"inputUrl":"https://example.com/a.mp4","captions":[{"url":"https://example.com/a.srt","language":"fr","kind":"sdh"}]}""", "kind")]
    public async Task BadTrackOptionsInJson_Are400NamingTheField(string body, string named)
    {
        using var response = await _api.Http.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiClient.ReadProblemAsync(response);
        Assert.Contains(named, problem["errors"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadOptionsField_Is400NamingTheUnknownField()
    {
        var clip = await TestClips.VideoAsync(_folder, 426, 240, 2);
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(File.OpenRead(clip)), "file", "clip.mp4" },
            { new StringContent("""{"audio":{"loudnes":{"targetLufs":-16}}}"""), "options" },
        };

        using var response = await _api.Http.PostAsync("/v1/jobs", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiClient.ReadProblemAsync(response);
        Assert.Contains("loudnes", problem["errors"]!["options"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await Leftovers.ObjectsAsync(_api.Tenant));
    }

    private static string Kind(JsonObject rendition) => rendition["kind"]!.GetValue<string>();

    private static ByteArrayContent Caption(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-subrip");
        return content;
    }

    /// <summary>Puts a file on the local object store, the one host the test stack trusts for URL inputs; returns its URL.</summary>
    private async Task<string> PutAsync(byte[] bytes, string extension)
    {
        var url = $"{TestStack.S3Url}/{TestStack.Bucket}/url-inputs/{Guid.NewGuid():N}.{extension}";
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
        (await _cdn.SendAsync(put)).EnsureSuccessStatusCode();
        return url;
    }

    public void Dispose()
    {
        _api.Dispose();
        _cdn.Dispose();
        Directory.Delete(_folder, true);
    }
}
