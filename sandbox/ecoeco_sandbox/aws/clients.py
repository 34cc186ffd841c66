"""boto3 clients bound to the sandbox's moto endpoint, in the region every sandbox client uses."""

import boto3

# moto serves every region; the sandbox's resources live in this one.
REGION = "ap-northeast-2"


def client(service, endpoint_url):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint_url, aws_access_key_id="testing", aws_secret_access_key="testing")
