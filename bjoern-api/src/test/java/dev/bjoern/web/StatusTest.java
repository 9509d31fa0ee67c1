package dev.bjoern.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatusTest {
    @Test
    void givesTheRegisteredReason() {
        assertEquals("200 OK", Status.line(200));
        assertEquals("303 See Other", Status.line(303));
        assertEquals("404 Not Found", Status.line(404));
        assertEquals("413 Content Too Large", Status.line(413));
        assertEquals("511 Network Authentication Required", Status.line(511));
    }

    @Test
    void givesTheClassNameForAnUnassignedCode() {
        assertEquals("299 Successful", Status.line(299));
        assertEquals("399 Redirection", Status.line(399));
        assertEquals("418 Client Error", Status.line(418));
        assertEquals("599 Server Error", Status.line(599));
    }

    @Test
    void refusesCodesStartResponseRefuses() {
        for (int code : new int[] {100, 199, 600, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Status.line(code));
            assertEquals("status code must be from 200 to 599, as start_response takes, got " + code,
                    e.getMessage());
        }
    }
}
