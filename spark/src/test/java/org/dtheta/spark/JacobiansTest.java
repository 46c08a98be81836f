package org.dtheta.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.dtheta.nn.io.NpyReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jacobians} on {@code local[2]} writes a Zarr v2 group whose chunks hold, bit for bit,
 * the rows of {@code dtheta jacobian}'s {@code .npy} at each step, for the structured route (one
 * sigmoid layer, to a local path) and for Hessian-vector products (a deeper tanh net, to a
 * {@code testfs:} URI, the local disk as another Hadoop file system); its metadata is Zarr v2's;
 * a rerun finds it complete or computes only the chunks a killed job left out, and an existing
 * folder that is not such a job is refused (exit 2).
 */
class JacobiansTest {

  private static final int PANEL = 300;

  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({"1, sigmoid, structured, ''", "'1,1', tanh, hvp, testfs://"})
  void chunksEqualTheRowsOfDthetaJacobian(String hidden, String activation, String method,
      String scheme) throws Exception {
    Path data = TinyMnist.write(tmp.resolve("mnist"), 20, 10);
    Path run = tmp.resolve("run");
    assertEquals(0, TinyMnist.dtheta("train", "--data", data.toString(), "--k", "20", "--steps", "4",
        "--save-every", "2", "--hidden", hidden, "--activation", activation, "--out", run.toString(),
        "--quiet").code());
    Path zarr = tmp.resolve("df.zarr");
    // a local path, or the same disk as a Hadoop file system of another scheme (as hdfs: is)
    String out = scheme + zarr;
    String hadoop = "spark.hadoop.fs.testfs.impl=" + LocalTestFileSystem.class.getName();
    TinyMnist.Result r = TinyMnist.dthetaSpark("jacobians", "--run", run.toString(), "--steps",
        "0,4", "--panel-rows", "" + PANEL, "--master", "local[2]", "--conf", hadoop, "--out", out);
    assertEquals(0, r.code(), r.err());

    JsonObject group = json(zarr.resolve(".zgroup"));
    assertEquals(2, group.get("zarr_format").getAsInt());
    for (int step : new int[] {0, 4}) {
      Path npy = tmp.resolve("df-" + step + ".npy");
      TinyMnist.Result single = TinyMnist.dtheta("jacobian", "--run", run.toString(), "--step",
          "" + step, "--panel-rows", "" + PANEL, "--out", npy.toString(), "--quiet");
      assertEquals(0, single.code(), single.err());
      Path array = zarr.resolve("step_" + step);
      JsonObject meta = json(array.resolve(".zarray"));
      int p;
      long offset;
      try (NpyReader reader = NpyReader.open(npy)) {
        p = reader.cols();
        offset = reader.header().dataOffset();
      }
      assertEquals(2, meta.get("zarr_format").getAsInt());
      assertEquals("[" + p + "," + p + "]", meta.get("shape").toString());
      assertEquals("[" + PANEL + "," + p + "]", meta.get("chunks").toString());
      assertEquals("<f8", meta.get("dtype").getAsString());
      assertEquals("C", meta.get("order").getAsString());
      assertTrue(meta.get("compressor").isJsonNull());
      JsonObject attrs = json(array.resolve(".zattrs"));
      assertEquals(step, attrs.get("step").getAsInt());
      assertEquals(0.1, attrs.get("alpha").getAsDouble());
      assertEquals(method, attrs.get("method").getAsString());
      JsonArray layout = attrs.getAsJsonArray("layout");
      assertEquals("W1", layout.get(0).getAsJsonObject().get("name").getAsString());
      assertEquals(p, layout.get(layout.size() - 1).getAsJsonObject().get("offset").getAsInt()
          + layout.get(layout.size() - 1).getAsJsonObject().get("length").getAsInt());

      byte[] whole = Files.readAllBytes(npy);
      int chunks = (p + PANEL - 1) / PANEL;
      assertEquals(3, chunks, "the test wants a padded last chunk");
      for (int i = 0; i < chunks; i++) {
        byte[] chunk = Files.readAllBytes(array.resolve(i + ".0"));
        assertEquals((long) PANEL * p * 8, chunk.length, "chunk " + i + " has the full chunk size");
        int rows = Math.min(PANEL, p - i * PANEL);
        int from = (int) offset + i * PANEL * p * 8;
        assertArrayEquals(Arrays.copyOfRange(whole, from, from + rows * p * 8),
            Arrays.copyOf(chunk, rows * p * 8), "step " + step + " chunk " + i);
        if (rows < PANEL) {
          double pad = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN)
              .getDouble(rows * p * 8);
          assertTrue(Double.isNaN(pad), "edge chunk padded with the fill value");
        }
      }
    }
    try (var files = Files.walk(zarr)) {
      assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")
          || f.getFileName().toString().endsWith(".crc")), "no temporary or checksum files");
    }

    String[] same = {"jacobians", "--run", run.toString(), "--steps", "0,4", "--panel-rows",
        "" + PANEL, "--conf", hadoop, "--out", out};
    TinyMnist.Result again = TinyMnist.dthetaSpark(same);
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("nothing to do"), again.err());
    // as a job killed before its last chunk and the metadata: the rerun computes only that chunk
    byte[] chunk = Files.readAllBytes(zarr.resolve("step_4/1.0"));
    for (String name : new String[] {"step_4/1.0", "step_4/.zarray", "step_4/.zattrs", ".zgroup"}) {
      Files.delete(zarr.resolve(name));
    }
    TinyMnist.Result resumed = TinyMnist.dthetaSpark(same);
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains(", 1 to do"), resumed.err());
    assertArrayEquals(chunk, Files.readAllBytes(zarr.resolve("step_4/1.0")));
    assertTrue(Files.isRegularFile(zarr.resolve(".zgroup")));
    TinyMnist.Result other = TinyMnist.dthetaSpark("jacobians", "--run", run.toString(), "--steps",
        "0", "--panel-rows", "" + PANEL, "--out", run.toString());
    assertEquals(2, other.code(), other.err());
    assertTrue(other.err().contains("--out"), other.err());
    TinyMnist.Result unsaved = TinyMnist.dthetaSpark("jacobians", "--run", run.toString(), "--steps",
        "3", "--out", tmp.resolve("never.zarr").toString());
    assertEquals(2, unsaved.code(), unsaved.err());
    assertFalse(Files.exists(tmp.resolve("never.zarr")));
  }

  private static JsonObject json(Path file) throws Exception {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }
}
