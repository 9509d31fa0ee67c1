package dev.bjoern.example;

import dev.bjoern.test.TestClient;
import dev.bjoern.test.TestResponse;
import dev.bjoern.test.Validator;

/** Calls {@link Hello}'s application in-process, through the validator, and prints what each path answered. */
public final class Check {
    private Check() {
    }

    public static void main(String[] args) {
        TestClient client = TestClient.of(Validator.wrap(Hello.app()));
        for (String path : new String[] {"/", "/servlet/x"}) {
            TestResponse response = client.get(path);
            System.out.println(path + " " + response.status() + " " + response.text());
        }
    }
}
