// One accepted connection of a TestWebServer: reads requests and answers
// each the way its route says. Internal to the test server.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "test_web_server.h"

namespace linkwatch::test {

// Serves `socket` until the peer leaves or the io_context stops.
void StartSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<TestWebServer::State> state,
                  std::string local_address);

}  // namespace linkwatch::test
