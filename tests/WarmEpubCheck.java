// EPUBCheck's command line kept warm for a test session (tests/warm_epubcheck.py starts it):
// each line read is the arguments of one `java -jar epubcheck.jar ...` run, separated by tabs;
// each is run by EPUBCheck's own entry point (`EpubChecker.run`, what its `main` calls before
// exiting) in this one JVM, and answered with one line: `done <exit status>`. What EPUBCheck
// prints (its console report) is written to a file named by the first field.
// Started as `java -cp epubcheck.jar WarmEpubCheck.java` (Java 11+ compiles it in memory).

import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

public class WarmEpubCheck {
    public static void main(String[] args) throws Exception {
        PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader requests =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = requests.readLine()) != null) {
            String[] fields = line.split("\t");
            int status;
            try (OutputStream console = new FileOutputStream(fields[0])) {
                PrintStream printed = new PrintStream(console, true, StandardCharsets.UTF_8);
                System.setOut(printed);
                System.setErr(printed);
                try {
                    status = new EpubChecker().run(Arrays.copyOfRange(fields, 1, fields.length));
                } catch (Throwable failure) {
                    failure.printStackTrace(printed);
                    status = -1;
                }
                printed.flush();
            }
            answers.println("done " + status);
        }
    }
}
